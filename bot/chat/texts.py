"""Localized wording for answers, hints and refusals."""

from __future__ import annotations

from bot.i18n import Translator
from bot.intake.answers import AnswerValue
from bot.intake.dates import PartialDate
from bot.intake.form import Form, Question
from bot.intake.vocabulary import Refusal


def type_hint(t: Translator, question: Question) -> str | None:
    match question.type:
        case "multi":
            return t.gettext("Choose all that apply, then press Done.")
        case "text" if question.voice:
            return t.gettext("Type your answer, or send a voice message.")
        case "text":
            return t.gettext("Type your answer.")
        case "integer":
            return t.gettext("Write a number.")
    return None


def answer_text(t: Translator, form: Form, question: Question, value: AnswerValue) -> str:
    if value is None:
        return t.gettext("skipped")
    labels = {c.code: t.gettext(c.label) for c in form.choices_for(question)}
    match value:
        case str() if question.type == "single":
            return labels.get(value, value)
        case str() if question.type == "date":
            return _date(value)
        case {"voice": _, "duration": int() as seconds}:
            return t.gettext(
                "voice message ({minutes}:{seconds:02d})",
                minutes=seconds // 60,
                seconds=seconds % 60,
            )
        case {"text": text}:
            return str(text)
        case list() if question.type == "multi":
            return ", ".join(labels.get(str(code), str(code)) for code in value)
        case list():
            names = ", ".join(str(f["name"]) for f in value if isinstance(f, dict))
            return t.ngettext("{n} file: {names}", "{n} files: {names}", len(value), names=names)
    return str(value)


def error_text(t: Translator, error: Refusal, params: dict[str, int | str]) -> str:
    _ = t.gettext
    messages = {
        Refusal.EXPECTS_CHOICE: _("Please choose one of the buttons below."),
        Refusal.EXPECTS_CHOICES: _("Please choose with the buttons below, then press Done."),
        Refusal.EXPECTS_TEXT: _("Please type your answer as text."),
        Refusal.EXPECTS_TYPED_TEXT: _(
            "Please type this answer; a voice message cannot be used here."
        ),
        Refusal.EXPECTS_TEXT_OR_VOICE: _("Please type your answer or send a voice message."),
        Refusal.EXPECTS_NUMBER: _("Please write a number, for example 27."),
        Refusal.EXPECTS_DATE: _("Please write a date such as 12.03.2024, 03.2024 or 2024."),
        Refusal.DATE_IN_FUTURE: _("This date is in the future. Please check it."),
        Refusal.DATE_IMPOSSIBLE: _(
            "There is no such day in that month (for example, 31 February). Please check the "
            "day and the month."
        ),
        Refusal.EXPECTS_FILES: _("Please send photos or documents here, or press Skip."),
        Refusal.EXPECTS_BUTTON: _("Please use the buttons below."),
        Refusal.USE_REVIEW_BUTTONS: _("Please use the buttons under the summary."),
        Refusal.REQUIRED: _(
            "This question cannot be skipped: the answer is needed to route your report."
        ),
        Refusal.CHOOSE_AT_LEAST_ONE: _("Choose at least one answer, or press Skip."),
        Refusal.NO_FILES_YET: _("No file has been received yet. Send one, or press Skip."),
        Refusal.NOTHING_BEFORE: _("This is the first question."),
        Refusal.NOTHING_TO_KEEP: _("Please answer, or press Skip."),
        Refusal.FINISHED: _("This report is finished. Send /start to begin a new one."),
    }
    if error == Refusal.TOO_LONG:
        return _(
            "This answer is too long ({length} characters). Please keep it under {max}, "
            "or send it in parts later.",
            length=params.get("length", "?"),
            max=params.get("max", "?"),
        )
    if error == Refusal.OUT_OF_RANGE:
        return _("Please write a number from {min} to {max}.", min=params["min"], max=params["max"])
    if error == Refusal.FILE_TOO_LARGE:
        return _(
            "This file is larger than {max_mb} MB, the most the bot can receive.",
            max_mb=params["max_mb"],
        )
    if error == Refusal.CASE_TOO_LARGE:
        return _(
            "This file was not added: with it, the files of your report would come to more "
            "than {max_mb} MB, the most the bot can pass on to the coalition. Everything else "
            "you sent is kept. You can send a smaller or compressed version, or describe the "
            "file in words; the coalition can ask you for it later.",
            max_mb=params["max_mb"],
        )
    if error == Refusal.TOO_MANY_FILES:
        return _(
            "You can send at most {max} files here. Press Done to continue.", max=params["max"]
        )
    if error == Refusal.UNSUPPORTED_FILE:
        return _(
            "This file was not saved: the bot takes only photos, videos, voice and "
            "audio recordings, PDF files, Word or OpenDocument documents and plain text. "
            "Please send it again in one of these forms."
        )
    if error == Refusal.STICKER:
        return _("Stickers and other messages of this kind cannot be used as answers.")
    return messages.get(error, _("Please use the buttons below."))


def _date(iso: str) -> str:
    date = PartialDate.from_iso(iso)
    if date.day is not None and date.month is not None:
        return f"{date.day:02d}.{date.month:02d}.{date.year}"
    if date.month is not None:
        return f"{date.month:02d}.{date.year}"
    return str(date.year)
