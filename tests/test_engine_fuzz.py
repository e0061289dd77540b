"""Random complainants: whatever they send, the engine answers and the draft stays sound."""

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.intake import engine
from bot.intake.answers import FileRef
from bot.intake.draft import Draft
from bot.intake.engine import Accepted, Rejected
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
from bot.intake.loader import load_form

FORM = load_form()
TODAY = dt.date(2026, 11, 27)
CODES = sorted({c.code for choices in FORM.choice_lists.values() for c in choices} | {"bogus"})
QUESTION_IDS = [q.id for q in FORM.questions()] + ["nope"]
FILE = FileRef(ref="r", name="n.jpg", mime="image/jpeg", size=5, sha256="00")

inputs: st.SearchStrategy[Input] = st.one_of(
    st.builds(Choose, st.sampled_from(CODES)),
    st.builds(Toggle, st.sampled_from(CODES)),
    st.builds(TextInput, st.text(max_size=60)),
    st.builds(
        TextInput, st.sampled_from(["12.03.2024", "2024", "17", "-3", "03.2099", "x" * 5000])
    ),
    st.builds(VoiceInput, st.just(FILE), st.integers(0, 600)),
    st.builds(FileInput, st.just(FILE)),
    st.builds(Edit, st.sampled_from(QUESTION_IDS)),
    st.sampled_from([Done(), Skip(), Back(), Keep(), Submit(), AddDetails()]),
    st.just(Unsupported("sticker")),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(inputs, max_size=80))
def test_any_sequence_of_inputs_keeps_the_draft_sound(sequence: list[Input]) -> None:
    draft = engine.start(FORM, "ru")
    for given_input in sequence:
        before = draft.to_bytes()
        outcome = engine.apply(FORM, draft, given_input, TODAY)
        if isinstance(outcome, Rejected):
            assert draft.to_bytes() == before
            assert outcome.error
            continue
        assert isinstance(outcome, Accepted)
        assert outcome.draft.visit >= draft.visit
        draft = outcome.draft
        assert Draft.from_bytes(draft.to_bytes()) == draft
        for question_id, value in draft.answers.items():
            question = FORM.question(question_id)
            codes = {c.code for c in FORM.choices_for(question)}
            if question.type == "single" and value is not None:
                assert value in codes
            if question.type == "multi" and value is not None:
                assert isinstance(value, list)
                assert value
                assert {str(code) for code in value} <= codes
        assert engine.current_step(FORM, draft) == outcome.step
