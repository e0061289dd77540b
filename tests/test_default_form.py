"""The default form: the reference questionnaire's promises hold."""

import datetime as dt

import pytest

from bot.chat.button_width import label_limit, label_width
from bot.chat.callbacks import EDIT, TOGGLE, StepButton, decode
from bot.intake import engine
from bot.intake.engine import Accepted, Prompt, Review
from bot.intake.form import Form
from bot.intake.inputs import Choose, Done, Input, Skip, TextInput, Toggle
from bot.intake.loader import load_form
from bot.intake.vocabulary import EndReason

TODAY = dt.date(2026, 11, 27)


@pytest.fixture(scope="module")
def form() -> Form:
    return load_form()


def answer_for(prompt: Prompt, choices: dict[str, str]) -> list[Input]:
    question = prompt.question
    if question.id in choices:
        code = choices[question.id]
        return [Toggle(code), Done()] if question.type == "multi" else [Choose(code)]
    if question.type == "text":
        return [TextInput(f"answer to {question.id}")]
    if question.type == "date":
        return [TextInput("12.03.2026")]
    raise AssertionError(f"no scripted answer for {question.id}")


def walk(form: Form, choices: dict[str, str]) -> tuple[list[str], engine.Step]:
    draft = engine.start(form, "en")
    step = engine.current_step(form, draft)
    asked: list[str] = []
    while isinstance(step, Prompt):
        asked.append(step.question.id)
        for given in answer_for(step, choices):
            outcome = engine.apply(form, draft, given, TODAY)
            assert isinstance(outcome, Accepted), (asked[-1], outcome)
            draft, step = outcome.draft, outcome.step
    return asked, step


URGENT_RELATIVE = {
    "a_safe_now": "yes",
    "a_urgent": "yes",
    "b_consent_store": "yes",
    "r_role": "relative",
    "e_country": "KZ",
    "u_risks": "whereabouts_unknown",
}


@pytest.mark.parametrize("contact", ["phone", "signal", "lawyer", "none"])
def test_a_relative_reporting_an_ongoing_detention_reaches_review_in_twelve_prompts(
    form: Form, contact: str
) -> None:
    asked, step = walk(form, URGENT_RELATIVE | {"k_contact_way": contact})
    assert isinstance(step, Review)
    assert len(asked) <= 12, asked
    assert {"v_name", "e_place", "e_date", "e_country", "k_contact_way"} <= set(asked)
    assert step.urgency.level == "high"
    assert step.can_add_details


def test_the_narrative_comes_before_the_list_of_acts(form: Form) -> None:
    order = [q.id for q in form.questions()]
    assert order.index("e_narrative") < order.index("g_acts")


def test_declining_consent_stores_nothing_and_ends(form: Form) -> None:
    draft = engine.start(form, "en")
    for code in ("yes", "no", "no"):
        outcome = engine.apply(form, draft, Choose(code), TODAY)
        assert isinstance(outcome, Accepted)
        draft = outcome.draft
    assert outcome.step == engine.Ended(EndReason.DECLINED)


def test_exit_at_the_safety_question_ends_at_once(form: Form) -> None:
    outcome = engine.apply(form, engine.start(form, "en"), Choose("exit"), TODAY)
    assert isinstance(outcome, Accepted)
    assert outcome.step == engine.Ended(EndReason.EXIT)


def test_almost_everything_can_be_skipped(form: Form) -> None:
    required = {q.id for q in form.questions() if q.required}
    assert required == {"a_safe_now", "a_urgent", "b_consent_store", "e_country", "k_contact_way"}


def test_a_full_report_that_skips_everything_optional_reaches_review(form: Form) -> None:
    draft = engine.start(form, "en")
    step = engine.current_step(form, draft)
    required = {"a_safe_now": "yes", "a_urgent": "no", "b_consent_store": "yes"}
    required |= {"e_country": "UZ", "k_contact_way": "none"}
    prompts = 0
    while isinstance(step, Prompt):
        prompts += 1
        qid = step.question.id
        given: Input = Choose(required[qid]) if qid in required else Skip()
        outcome = engine.apply(form, draft, given, TODAY)
        assert isinstance(outcome, Accepted), (qid, outcome)
        draft, step = outcome.draft, outcome.step
    assert isinstance(step, Review)
    answerable = sum(1 for q in form.questions() if q.answerable)
    assert 30 < prompts < answerable, "questions that depend on skipped answers are not asked"


def test_every_button_fits_telegram_callback_data(form: Form) -> None:
    for question in form.questions():
        data = StepButton(9_999_999, EDIT, question.id).encode()
        assert decode(data) == StepButton(9_999_999, EDIT, question.id)
        for choice in form.choices_for(question):
            data = StepButton(9_999_999, TOGGLE, choice.code).encode()
            assert len(data.encode()) <= 64


def test_button_labels_are_short_enough_for_a_phone(form: Form) -> None:
    room = label_limit(1) - label_width("● ")  # a choice alone in its row, with its mark
    for choices in form.choice_lists.values():
        for choice in choices:
            assert choice.retired or label_width(choice.label) <= room, choice.label
