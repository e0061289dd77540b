"""The form people understand (issue 11, point 6): a way back to the summary from the details,
urgency from what is true now, "you" to a survivor, the contact hint, short summary labels."""

import datetime as dt
import html

import pytest

from bot.chat import callbacks as cb
from bot.chat.screens import Screens
from bot.i18n import LANGUAGE_NAMES, Catalogs
from bot.intake import engine
from bot.intake.answers import AnswerValue
from bot.intake.draft import Draft
from bot.intake.engine import Accepted, Prompt, Review
from bot.intake.inputs import AddDetails, Choose, Done, Input, Skip, TextInput, Toggle, ToSummary
from bot.intake.loader import load_form
from bot.intake.ports import Destination, Receipt
from bot.intake.urgency import urgency_of
from bot.intake.vocabulary import EndReason

TODAY = dt.date(2026, 11, 27)
FORM = load_form()
CATALOGS = Catalogs.load()
URGENT = {
    "a_safe_now": "yes",
    "a_urgent": "yes",
    "b_consent_store": "yes",
    "r_role": "relative",
    "e_country": "KZ",
    "u_risks": "whereabouts_unknown",
    "k_contact_way": "none",
}


def step_through(draft: Draft, given: Input) -> tuple[Draft, engine.Step]:
    outcome = engine.apply(FORM, draft, given, TODAY)
    assert isinstance(outcome, Accepted), outcome
    return outcome.draft, outcome.step


def to_review(choices: dict[str, str], language: str = "en") -> tuple[Draft, Review]:
    draft = engine.start(FORM, language)
    step = engine.current_step(FORM, draft)
    while isinstance(step, Prompt):
        question = step.question
        if question.id in choices:
            code = choices[question.id]
            inputs: list[Input] = (
                [Toggle(code), Done()] if question.type == "multi" else [Choose(code)]
            )
        elif question.type == "text":
            inputs = [TextInput(f"answer to {question.id}")]
        elif question.type == "date":
            inputs = [TextInput("12.03.2026")]
        else:
            inputs = [Skip()]
        for given in inputs:
            draft, step = step_through(draft, given)
    assert isinstance(step, Review)
    return draft, step


def test_after_add_more_details_one_tap_leads_back_to_the_summary() -> None:
    draft, review = to_review(URGENT)
    assert review.can_add_details
    draft, step = step_through(draft, AddDetails())
    assert isinstance(step, Prompt)
    assert step.can_finish
    rows = Screens(FORM, CATALOGS.translator("en")).prompt(step).buttons
    data = [d for row in rows for _label, d in row]
    assert cb.StepButton(step.visit, cb.TO_SUMMARY).encode() in data
    first = FORM.choices_for(step.question)[0].code
    draft, step = step_through(draft, Choose(first))  # one detail added
    assert isinstance(step, Prompt)
    draft, step = step_through(draft, ToSummary())
    assert isinstance(step, Review), "one tap, not thirty Skips"
    assert not step.can_add_details
    assert len(step.items) > len(review.items), "the detail added is in the summary"


def test_the_way_back_is_offered_only_while_adding_details() -> None:
    draft = engine.start(FORM, "en")
    step = engine.current_step(FORM, draft)
    assert isinstance(step, Prompt)
    assert not step.can_finish
    rejected = engine.apply(FORM, draft, ToSummary(), TODAY)
    assert isinstance(rejected, engine.Rejected)


def score(answers: dict[str, AnswerValue]) -> str:
    return urgency_of(FORM, answers).level


def test_urgency_counts_only_what_is_true_now() -> None:
    released_long_ago: dict[str, AnswerValue] = {
        "e_detained": "yes",
        "e_date": "2025-10-01",
        "e_incommunicado": "yes",
        "v_status_now": "released",
        "u_risks": ["threats_family"],
    }
    vanished_yesterday: dict[str, AnswerValue] = {
        "a_urgent": "yes",
        "e_detained": "yes",
        "e_date": "2026-11-26",
        "e_incommunicado": "yes",
        "v_status_now": "detained_unknown",
        "u_risks": ["whereabouts_unknown"],
    }
    assert score(released_long_ago) != "high"
    assert score(vanished_yesterday) == "high"
    still_held = released_long_ago | {"v_status_now": "detained_known"}
    assert urgency_of(FORM, still_held).score > urgency_of(FORM, released_long_ago).score


def first_prompt_of(question_id: str, role: str) -> Prompt:
    draft = engine.start(FORM, "en")
    draft.answers.update({"a_safe_now": "yes", "a_urgent": "no", "b_consent_store": "yes"})
    draft.answers["r_role"] = role
    draft.cursor = question_id
    step = engine.current_step(FORM, draft)
    assert isinstance(step, Prompt)
    return step


SELF_TEXTS = [q for q in FORM.questions() if q.text_self]


def test_a_survivor_is_asked_about_themselves() -> None:
    assert len(SELF_TEXTS) >= 15
    for question in SELF_TEXTS:
        assert "the person" not in (question.text_self or "").lower(), question.id
    prompt = first_prompt_of("v_status_now", "victim")
    assert prompt.self_report
    text = Screens(FORM, CATALOGS.translator("en")).prompt(prompt).text
    assert "What is your situation now?" in text
    other = first_prompt_of("v_status_now", "relative")
    assert "Where is the person now?" in Screens(FORM, CATALOGS.translator("en")).prompt(other).text


@pytest.mark.parametrize("language", sorted(LANGUAGE_NAMES))
def test_the_contact_question_shows_its_hint(language: str) -> None:
    prompt = first_prompt_of("k_contact_way", "relative")
    question = prompt.question
    assert question.hint
    t = CATALOGS.translator(language)
    assert t.gettext(question.hint) in Screens(FORM, t).prompt(prompt).text


def test_the_summary_uses_short_labels() -> None:
    _draft, review = to_review(URGENT)
    text = "\n".join(s.text for s in Screens(FORM, CATALOGS.translator("en")).review(review))
    for question, _value in review.items:
        assert question.short, question.id
        assert question.text not in text or question.text == question.short
        assert len(question.short) <= 40, question.id


@pytest.mark.parametrize("language", sorted(LANGUAGE_NAMES))
def test_the_welcome_promises_no_skip_it_cannot_keep_and_speaks_plainly(language: str) -> None:
    t = CATALOGS.translator(language)
    intro = Screens(FORM, t).intro()
    assert (
        t.gettext(
            "This bot takes complaints for the NGO coalitions against torture in Central Asia. We "
            "will ask what happened, to whom, and how to reach you. You can skip most questions; "
            "only your consent, the country and how to reach you are needed to pass the report on. "
            "You can stop at any time."
        )
        in intro
    )
    for jargon in ("end-to-end", "сквозн", "IP"):
        assert jargon not in intro
    assert "skip any question" not in t.gettext(FORM.question("a_device_note").text)


def receipt(help_texts: tuple[tuple[str, str], ...] = ()) -> Receipt:
    return Receipt("KZ-7G4M-Q2XD", Destination("Coalition KZ", ("ab12",), False, help_texts))


@pytest.mark.parametrize("language", sorted(LANGUAGE_NAMES))
def test_after_sending_the_person_hears_what_happens_next_and_what_to_do_now(
    language: str,
) -> None:
    t = CATALOGS.translator(language)
    screens = Screens(FORM, t)
    general = screens.sent(receipt()).text
    assert html.escape(t.gettext("What you can do now:"), quote=False) in general
    assert html.escape(screens.self_help(), quote=False) in general
    hotline = (("ru", "Горячая линия: +7 700 000 00 00"), ("en", "Hotline: +7 700 000 00 00"))
    own = screens.sent(receipt(hotline)).text
    assert "+7 700 000 00 00" in own
    expected = "Hotline" if language == "en" else "Горячая линия"
    assert expected in own, "the coalition's own words, in the language or else Russian"


@pytest.mark.parametrize("language", sorted(LANGUAGE_NAMES))
def test_declining_gives_the_coalitions_hotlines_and_a_first_step(language: str) -> None:
    t = CATALOGS.translator(language)
    helplines = [("Coalition KZ", (("ru", "Горячая линия 8 800"),)), ("TIHR", ())]
    said = Screens(FORM, t, helplines=helplines).ended(EndReason.DECLINED)
    assert "Coalition KZ: Горячая линия 8 800" in said
    assert "TIHR" not in said, "a coalition without a help text is not listed"
    assert html.escape(Screens(FORM, t).self_help(), quote=False) in said
