import datetime as dt

from bot.intake import engine
from bot.intake.answers import FileRef
from bot.intake.draft import Draft
from bot.intake.engine import Accepted, Ended, Prompt, Rejected, Review, Submitted
from bot.intake.inputs import (
    AddDetails,
    Back,
    Choose,
    Done,
    Edit,
    FileInput,
    Input,
    Keep,
    Skip,
    Submit,
    TextInput,
    Toggle,
    Unsupported,
    VoiceInput,
)
from bot.intake.vocabulary import EndReason
from tests.forms import types_form

TODAY = dt.date(2026, 11, 27)
FORM = types_form()


def file(size: int = 10, name: str = "a.jpg") -> FileRef:
    return FileRef(ref="r" + name, name=name, mime="image/jpeg", size=size, sha256="00")


def run(*inputs: Input, draft: Draft | None = None) -> tuple[Draft, engine.Step]:
    draft = draft or engine.start(FORM, "en")
    step = engine.current_step(FORM, draft)
    for given in inputs:
        outcome = engine.apply(FORM, draft, given, TODAY)
        assert isinstance(outcome, Accepted), (given, outcome)
        draft, step = outcome.draft, outcome.step
    return draft, step


def refused(draft: Draft, given: Input) -> Rejected:
    before = draft.to_bytes()
    outcome = engine.apply(FORM, draft, given, TODAY)
    assert isinstance(outcome, Rejected), outcome
    assert draft.to_bytes() == before, "a refused input must not change the draft"
    return outcome


def at(question_id: str, step: engine.Step) -> Prompt:
    assert isinstance(step, Prompt), step
    assert step.question.id == question_id
    return step


FULL_TRACK_TO_STORY = (Choose("no"), Choose("victim"))


def test_the_first_step_is_the_first_question_with_progress() -> None:
    _, step = run()
    prompt = at("urgent", step)
    assert (prompt.progress.section_number, prompt.progress.section_count) == (1, 2)
    assert not prompt.can_back
    assert not prompt.question.skippable


def test_notes_are_shown_with_the_question_after_them() -> None:
    _, step = run(Choose("no"))
    assert [n.id for n in at("role", step).notes] == ["intro_note"]


def test_single_choice_takes_only_its_own_codes() -> None:
    draft, _ = run()
    assert refused(draft, Choose("maybe")).error == "expects_choice"
    assert refused(draft, TextInput("yes")).error == "expects_choice"
    assert refused(draft, Unsupported("sticker")).error == "expects_choice"


def test_skip_logic_asks_relation_only_of_relatives() -> None:
    _, step = run(Choose("no"), Choose("relative"))
    at("relation", step)
    _, step = run(Choose("no"), Choose("victim"))
    at("story", step)


def test_a_choice_can_end_the_conversation() -> None:
    draft, step = run(Choose("no"), Choose("leave"))
    assert step == Ended(EndReason.EXIT)
    assert refused(draft, TextInput("x")).error == "finished"


def test_text_is_trimmed_and_bounded() -> None:
    draft, _ = run(*FULL_TRACK_TO_STORY)
    assert refused(draft, TextInput("   ")).error == "expects_text"
    too_long = refused(draft, TextInput("x" * 51))
    assert too_long.error == "too_long"
    assert too_long.params == {"max": 50, "length": 51}
    draft, step = run(TextInput("  it happened  "), draft=draft)
    assert draft.answers["story"] == {"text": "it happened"}
    at("name", step)


def test_voice_is_accepted_only_where_the_form_allows_it() -> None:
    draft, _ = run(*FULL_TRACK_TO_STORY)
    voice = VoiceInput(file(name="v.ogg"), duration=37)
    draft, _ = run(voice, draft=draft)
    assert draft.answers["story"] == {"voice": file(name="v.ogg"), "duration": 37}
    assert refused(draft, voice).error == "expects_typed_text"


def test_integer_with_bounds() -> None:
    draft, _ = run(*FULL_TRACK_TO_STORY, Skip(), Skip())
    assert refused(draft, TextInput("twenty")).error == "expects_number"
    out = refused(draft, TextInput("111"))
    assert (out.error, out.params) == ("out_of_range", {"min": 0, "max": 110})
    assert refused(draft, TextInput("-1")).error == "out_of_range"
    draft, _ = run(TextInput(" 17 "), draft=draft)
    assert draft.answers["age"] == 17


def test_dates_keep_their_precision_and_refuse_the_future() -> None:
    draft, _ = run(*FULL_TRACK_TO_STORY, Skip(), Skip(), Skip())
    assert refused(draft, TextInput("next week")).error == "expects_date"
    assert refused(draft, TextInput("2030")).error == "date_in_future"
    draft, _ = run(TextInput("03.2024"), draft=draft)
    assert draft.answers["when"] == "2024-03"


def test_multiple_choice_toggles_exclusive_choices_and_needs_one_to_finish() -> None:
    draft, _ = run(*FULL_TRACK_TO_STORY, Skip(), Skip(), Skip(), Skip())
    assert refused(draft, Done()).error == "choose_at_least_one"
    draft, step = run(Toggle("other"), Toggle("ongoing"), draft=draft)
    assert at("risks", step).pending == ("other", "ongoing")
    draft, step = run(Toggle("none"), draft=draft)
    assert at("risks", step).pending == ("none",)
    draft, step = run(Toggle("ongoing"), Toggle("other"), Toggle("other"), draft=draft)
    assert at("risks", step).pending == ("ongoing",)
    assert refused(draft, Toggle("bogus")).error == "expects_choices"
    draft, step = run(Toggle("sexual"), Done(), draft=draft)
    assert draft.answers["risks"] == ["ongoing", "sexual"]
    assert [n.id for n in at("files", step).notes] == ["sexual_note"]


def test_toggling_does_not_change_the_visit_so_buttons_stay_valid() -> None:
    draft, _ = run(*FULL_TRACK_TO_STORY, Skip(), Skip(), Skip(), Skip())
    toggled, _ = run(Toggle("other"), draft=draft)
    assert toggled.visit == draft.visit


def test_files_accumulate_within_limits() -> None:
    draft, _ = run(*FULL_TRACK_TO_STORY, Skip(), Skip(), Skip(), Skip(), Skip())
    assert refused(draft, Done()).error == "no_files_yet"
    assert refused(draft, TextInput("here")).error == "expects_files"
    big = refused(draft, FileInput(file(size=engine.MAX_FILE_BYTES + 1)))
    assert big.error == "file_too_large"
    draft, step = run(FileInput(file(name="1.jpg")), FileInput(file(name="2.jpg")), draft=draft)
    assert len(at("files", step).pending) == 2
    assert refused(draft, FileInput(file(name="3.jpg"))).error == "too_many_files"
    draft, step = run(Done(), draft=draft)
    files = draft.answers["files"]
    assert isinstance(files, list)
    assert [f["name"] for f in files if isinstance(f, dict)] == ["1.jpg", "2.jpg"]
    at("place", step)


def test_required_questions_cannot_be_skipped() -> None:
    draft, _ = run()
    assert refused(draft, Skip()).error == "required"


def test_back_revisits_and_keep_moves_on_without_losing_answers() -> None:
    draft, step = run(*FULL_TRACK_TO_STORY, TextInput("story"), TextInput("Ivan"))
    at("age", step)
    draft, step = run(Back(), draft=draft)
    prompt = at("name", step)
    assert prompt.revisiting
    assert prompt.current == {"text": "Ivan"}
    draft, step = run(Back(), draft=draft)
    at("story", step)
    draft, step = run(Keep(), draft=draft)
    at("name", step)
    draft, step = run(TextInput("Pyotr"), draft=draft)
    at("age", step)
    assert draft.answers["name"] == {"text": "Pyotr"}
    assert draft.answers["story"] == {"text": "story"}


def test_back_at_the_first_question_is_refused() -> None:
    draft, _ = run()
    assert refused(draft, Back()).error == "nothing_before"


def test_changing_an_answer_drops_questions_that_no_longer_apply() -> None:
    draft, step = run(Choose("no"), Choose("relative"), Choose("yes"))
    at("story", step)
    draft, step = run(Back(), Back(), Choose("victim"), draft=draft)
    at("story", step)
    draft, step = run(*(Skip() for _ in range(6)), Choose("yes"), draft=draft)
    assert isinstance(step, Review)
    assert "relation" not in [q.id for q, _ in step.items]


def full_draft() -> tuple[Draft, Review]:
    draft, step = run(
        Choose("no"),
        Choose("victim"),
        TextInput("story"),
        TextInput("Ivan"),
        TextInput("16"),
        TextInput("2024"),
        Toggle("ongoing"),
        Done(),
        Skip(),
        Choose("yes"),
    )
    assert isinstance(step, Review)
    return draft, step


def test_review_lists_answers_and_the_computed_urgency() -> None:
    _, review = full_draft()
    assert [q.id for q, _ in review.items] == [
        "urgent",
        "role",
        "story",
        "name",
        "age",
        "when",
        "risks",
        "place",
    ]
    assert review.urgency.level == "high"
    assert review.urgency.score == 7
    assert not review.can_add_details


def test_editing_from_review_returns_to_review() -> None:
    draft, _ = full_draft()
    draft, step = run(Edit("name"), draft=draft)
    at("name", step)
    draft, step = run(TextInput("Anna"), draft=draft)
    assert isinstance(step, Review)
    assert draft.answers["name"] == {"text": "Anna"}
    assert refused(draft, Edit("relation")).error == "stale"


def test_back_from_review_goes_to_the_last_question() -> None:
    draft, _ = full_draft()
    _, step = run(Back(), draft=draft)
    at("place", step)


def test_submit_finishes_the_draft() -> None:
    draft, _ = full_draft()
    draft, step = run(Submit(), draft=draft)
    assert isinstance(step, Submitted)
    assert draft.submitted
    assert refused(draft, Submit()).error == "finished"


def test_fast_track_asks_only_its_questions_then_can_add_details() -> None:
    draft, step = run(Choose("yes"), Choose("relative"), TextInput("Ivan"), TextInput("2025"))
    prompt = at("risks", step)
    assert prompt.progress.section_count == 2
    draft, step = run(Toggle("ongoing"), Done(), draft=draft)
    assert isinstance(step, Review)
    assert step.can_add_details
    draft, step = run(AddDetails(), draft=draft)
    at("relation", step)


def test_presets_answer_questions_marked_for_it_only() -> None:
    from tests.forms import form_from

    form = form_from(
        """
        id: preset
        version: 1
        fast_track: {when: {q: c, is: "zz"}}
        urgency: {high: 1, medium: 1, rules: []}
        sections:
          - id: A
            title: A
            questions:
              - {id: c, type: single, choices: c, preset_from_start: true, text: "C?"}
              - {id: d, type: single, choices: c, text: "D?"}
        choice_lists:
          c: [{code: KZ, label: Kazakhstan}, {code: KG, label: Kyrgyzstan}]
        """
    )
    draft = engine.start(form, "en", {"c": "KZ", "d": "KG"})
    assert draft.answers == {"c": "KZ"}
    assert engine.start(form, "en", {"c": "XX"}).answers == {}
    assert at("d", engine.current_step(form, draft)).progress.section_number == 1


def test_drafts_survive_serialisation() -> None:
    draft, _ = full_draft()
    assert Draft.from_bytes(draft.to_bytes()) == draft


def test_the_files_of_a_case_add_up_to_at_most_what_can_be_delivered() -> None:
    """A voice answer and the files count together; an answer being replaced counts once."""
    mib = engine.MIB
    voice = VoiceInput(file(size=10 * mib, name="v.ogg"), duration=37)
    draft, step = run(*FULL_TRACK_TO_STORY, voice, Skip(), Skip(), Skip(), Skip())
    at("files", step)
    draft, _ = run(FileInput(file(size=20 * mib, name="1.pdf")), draft=draft)
    over = refused(draft, FileInput(file(size=16 * mib, name="2.pdf")))
    assert (over.error, over.params) == ("case_too_large", {"max_mb": 45})
    raised = FileInput(file(size=16 * mib, name="2.pdf"))
    assert isinstance(engine.apply(FORM, draft, raised, TODAY, case_bytes=100 * mib), Accepted)
    draft, step = run(FileInput(file(size=14 * mib, name="2.pdf")), Done(), draft=draft)
    at("place", step)
    draft, step = run(*[Back()] * 6, draft=draft)
    at("story", step)
    replaced = VoiceInput(file(size=11 * mib, name="w.ogg"), duration=40)
    draft, _ = run(replaced, draft=draft)  # 20 + 14 + 11: the old voice no longer counts
    assert draft.answers["story"] == {"voice": file(size=11 * mib, name="w.ogg"), "duration": 40}
