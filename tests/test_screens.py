"""What complainants see, without a network: every screen of the default form in every language
fits Telegram's limits, and each intake outcome says the right thing (or nothing)."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.chat import callbacks as cb
from bot.chat.button_width import too_wide
from bot.chat.screens import Screen, Screens
from bot.i18n import LANGUAGE_NAMES, Catalogs
from bot.intake import engine
from bot.intake.inputs import Choose, Done, Input, Skip, TextInput, Toggle
from bot.intake.loader import load_form
from bot.intake.ports import Destination, Receipt
from bot.intake.service import (
    AlreadyApplied,
    CodeAwaited,
    Discarded,
    NoDraft,
    Refused,
    Sent,
    Shown,
    Stale,
)
from bot.intake.vocabulary import EndReason, Refusal

FORM = load_form()
CATALOGS = Catalogs.load()
TELEGRAM_TEXT_LIMIT = 4096


def screens(language: str = "en") -> Screens:
    return Screens(FORM, CATALOGS.translator(language))


def every_prompt() -> list[engine.Prompt]:
    """Prompts of the default form, reached by walks that pick different choices."""
    seen: dict[str, engine.Prompt] = {}
    today = dt.date(2026, 12, 1)
    for pick in range(4):
        draft = engine.start(FORM, "en")
        for _ in range(300):
            step = engine.current_step(FORM, draft)
            if not isinstance(step, engine.Prompt):
                break
            question = step.question
            seen.setdefault(question.id, step)
            choices = [
                c.code for c in FORM.choices_for(question) if c.code not in question.ends_with
            ]
            given: Input
            if question.type == "single" and choices:
                given = Choose(choices[pick % len(choices)])
            elif question.type == "multi" and choices and not step.pending:
                given = Toggle(choices[pick % len(choices)])
            elif question.type == "multi" and step.pending:
                given = Done()
            elif question.type == "text":
                given = TextInput("Около вокзала, в 10 утра")
            elif question.type == "integer":
                given = TextInput(str(question.min or 30))
            elif question.type == "date":
                given = TextInput("2025")
            else:
                given = Skip()
            outcome = engine.apply(FORM, draft, given, today)
            if isinstance(outcome, engine.Rejected):
                outcome = engine.apply(FORM, draft, Skip(), today)
            assert isinstance(outcome, engine.Accepted), (question.id, outcome)
            draft = outcome.draft
    return list(seen.values())


def check_limits(shown: list[Screen]) -> None:
    for screen in shown:
        assert len(screen.text) <= TELEGRAM_TEXT_LIMIT
        for row in screen.buttons:
            assert too_wide([label for label, _ in row]) == [], row  # cut on a narrow phone
            for _label, data in row:
                assert len(data.encode()) <= cb.MAX_BYTES
                assert cb.decode(data) is not None, data


@pytest.mark.parametrize("language", sorted(LANGUAGE_NAMES))
def test_every_prompt_fits_telegram_in_every_language(language: str) -> None:
    prompts = every_prompt()
    assert len(prompts) > 40
    for prompt in prompts:
        check_limits(screens(language).step(prompt, intro=True))


def test_an_exit_says_nothing_the_conversation_is_being_deleted() -> None:
    outcome = Shown(engine.Ended(EndReason.EXIT), "en")
    assert screens().outcome(outcome) == []


def test_declining_leaves_a_kind_word() -> None:
    (said,) = screens().outcome(Shown(engine.Ended(EndReason.DECLINED), "en"))
    assert "Nothing has been stored or sent" in said.text


def test_a_case_code_is_shown_once_after_the_receipt_escaped() -> None:
    destination = Destination("Coalition <KZ>", ("ab12",), demo=False)
    receipt = Receipt("KZ-7G4M-Q2XD", destination, "ABCD-EFGH-JKMN-PQRS")
    sent, code = screens().outcome(Sent(receipt, "en"))
    assert "Coalition &lt;KZ&gt;" in sent.text
    assert "KZ-7G4M-Q2XD" in sent.text
    assert "<code>ABCD-EFGH-JKMN-PQRS</code>" in code.text
    assert "ABCD" not in sent.text


def test_without_a_code_only_the_receipt() -> None:
    destination = Destination("Coalition", ("ab12",), demo=False)
    assert len(screens().outcome(Sent(Receipt("KZ-7G4M-Q2XD", destination, None), "en"))) == 1


def test_a_refusal_is_shown_on_the_prompt_it_refuses() -> None:
    prompt = every_prompt()[0]
    (said,) = screens().outcome(Refused(Refusal.EXPECTS_CHOICE, {}, prompt, "en"))
    assert said.text.startswith("⚠️ Please choose one of the buttons below.")
    assert said.buttons == screens().prompt(prompt).buttons


@pytest.mark.parametrize(
    "outcome",
    [NoDraft(), Stale("en"), AlreadyApplied(None, None)],
)
def test_without_a_draft_the_way_back_in_is_named(outcome: object) -> None:
    (said,) = screens().outcome(outcome)  # type: ignore[arg-type]
    assert "/start" in said.text


def test_the_code_prompts_differ_after_a_mismatch() -> None:
    (first,) = screens().outcome(CodeAwaited("en"))
    (again,) = screens().outcome(CodeAwaited("en", mismatch=True))
    assert again.text.startswith("That does not match.")
    assert not first.text.startswith("That does not match.")


def test_a_discarded_report_says_how_to_begin_again_in_russian() -> None:
    (said,) = screens("ru").outcome(Discarded("ru"))
    assert said.text == CATALOGS.translator("ru").gettext(
        "Your unfinished report has been deleted. Send /start to begin again."
    )


def test_the_language_picker_names_languages_in_their_own_words() -> None:
    picker = screens().language_picker(("ru", "en", "kk"))
    labels = [label for row in picker.buttons for label, _ in row]
    assert labels == ["Русский", "English", "Қазақша"]
    check_limits([picker])


@pytest.mark.parametrize("language", ["kk", "ky", "tg", "uz", "uz_Cyrl", "tk"])
def test_a_draft_language_says_so_once_at_the_start_with_russian_one_tap_away(
    language: str,
) -> None:
    first = engine.current_step(FORM, engine.start(FORM, language))
    (opening,) = screens(language).step(first, intro=True)
    note = CATALOGS.translator(language).gettext(
        "This translation was made with the help of a computer and is still waiting to be "
        "checked by a native speaker. If anything is unclear, you can switch to Russian "
        "with the button below."
    )
    assert note in opening.text
    assert opening.buttons[-1] == [("🌐 Русский", cb.LanguageButton("ru").encode())]
    (later,) = screens(language).step(first)
    assert note not in later.text
    assert all(cb.LanguageButton("ru").encode() not in dict(row).values() for row in later.buttons)


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_source_and_the_alternative_carry_no_draft_notice(language: str) -> None:
    first = engine.current_step(FORM, engine.start(FORM, language))
    (opening,) = screens(language).step(first, intro=True)
    assert all(
        cb.LanguageButton("ru").encode() not in dict(row).values() for row in opening.buttons
    )
