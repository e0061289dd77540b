"""Every button the bot can show, in every language, fits a narrow phone without being cut.

The keyboards are made by the real screen code (bot/chat/screens.py, bot/chat/case_buttons.py)
for every question of the default form in each way it is shown (first time, revisited with an
answer marked, ticked and unticked choices, files waiting), the summary and its number picker,
the language picker, the draft-language button and the staff and complainant case buttons. The
limit is bot/chat/button_width.py's.
"""

from __future__ import annotations

from typing import Any

import pytest

from bot.chat.button_width import FULL_ROW, label_limit, label_width, too_wide
from bot.chat.case_buttons import answer_rows, card_rows
from bot.chat.screens import Row, Screens
from bot.i18n import LANGUAGE_NAMES, Catalogs
from bot.intake import engine
from bot.intake.answers import AnswerValue
from bot.intake.form import Question
from bot.intake.loader import load_form
from bot.intake.urgency import UrgencyLevel

FORM = load_form()
CATALOGS = Catalogs.load()
REFERENCE = "UZ-7G4M-Q2XD"


def prompts_of(question: Question) -> list[engine.Prompt]:
    progress = engine.Progress(1, 9, FORM.section_of(question.id))
    codes = [c.code for c in FORM.offered_choices(question)]
    shown: list[tuple[AnswerValue, bool, tuple[Any, ...]]] = [(None, False, ()), (None, True, ())]
    if question.type == "single":
        shown += [(code, True, ()) for code in codes]  # each answer marked when revisited
    if question.type == "multi":
        shown += [(codes, True, tuple(codes)), (None, False, tuple(codes))]
    if question.type == "files":
        shown += [(None, False, ({"ref": "f1"},))]
    return [
        engine.Prompt(
            question, progress, (), current, revisiting, pending, True, 7, can_finish=finish
        )
        for current, revisiting, pending in shown
        for finish in (False, True)
    ]


def every_keyboard(language: str) -> list[list[Row]]:
    t = CATALOGS.translator(language)
    screens = Screens(FORM, t)
    keyboards = [
        screens.prompt(prompt).buttons
        for question in FORM.questions()
        if question.answerable
        for prompt in prompts_of(question)
    ]
    answerable = [q for q in FORM.questions() if q.answerable]
    for can_add in (False, True):
        review = engine.Review(
            tuple((q, None) for q in answerable), UrgencyLevel("high", 9), can_add, 7
        )
        keyboards.append(screens.review(review)[-1].buttons)
        keyboards.append(screens.edit_picker(review))
    keyboards.append(screens.language_picker(tuple(LANGUAGE_NAMES)).buttons)
    keyboards.append(screens.draft_notice_buttons())
    keyboards.append(card_rows(t, REFERENCE))
    keyboards.append(answer_rows(t, REFERENCE))
    return keyboards


def test_the_limit_is_that_of_a_narrow_phone() -> None:
    assert FULL_ROW == 32
    assert [label_limit(n) for n in (1, 2, 3, 8)] == [32, 15, 9, 2]
    assert label_width("✅ Send the report") == 2 + 1 + 15  # an emoji is two letters wide
    assert label_width("◀️ Back") == label_width("◀ Back")  # the variation selector is nothing
    assert too_wide(["◀️ Назад", "Пропустить ⏭"]) == []
    assert too_wide(["✏️ Javobni oʻzgartirish", "◀️ Orqaga"]) == ["✏️ Javobni oʻzgartirish"]


@pytest.mark.parametrize("language", sorted(LANGUAGE_NAMES))
def test_every_button_fits_a_narrow_phone(language: str) -> None:
    cut = [
        (label_width(label), label_limit(len(row)), label)
        for keyboard in every_keyboard(language)
        for row in keyboard
        for label in too_wide([label for label, _ in row])
    ]
    assert cut == [], "\n".join(f"{w} > {limit}: {label}" for w, limit, label in sorted(set(cut)))


@pytest.mark.parametrize("language", sorted(LANGUAGE_NAMES))
def test_every_choice_and_fixed_button_is_among_those_checked(language: str) -> None:
    t = CATALOGS.translator(language)
    shown = {label for keyboard in every_keyboard(language) for row in keyboard for label, _ in row}
    text = "\n".join(shown)
    for question in FORM.questions():
        for choice in FORM.offered_choices(question):
            assert "● " + t.gettext(choice.label) in shown or question.type == "multi"
            assert t.gettext(choice.label) in text, (question.id, choice.code)
    fixed = ["Done", "Back", "Keep", "Skip", "Back to the summary", "Send the report"]
    fixed += ["Add more details first", "Change an answer", "Acknowledge", "Assign to me"]
    fixed += ["Reply", "Answer"]
    for word in fixed:
        assert any(t.gettext(word) in label for label in shown), word
    assert set(LANGUAGE_NAMES.values()) <= shown
