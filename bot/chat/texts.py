"""Localized wording for answers, hints and refusals."""

from __future__ import annotations

from bot.i18n import Catalogs, Translator
from bot.intake.answers import AnswerValue
from bot.intake.dates import PartialDate
from bot.intake.form import Form, Question
from bot.intake.service import ChoiceMatcher


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
    match question.type:
        case "single":
            return labels.get(str(value), str(value))
        case "multi":
            return ", ".join(labels.get(code, code) for code in value)
        case "text" if isinstance(value, dict) and "voice" in value:
            seconds = int(value.get("duration", 0))
            return t.gettext(
                "voice message ({minutes}:{seconds:02d})",
                minutes=seconds // 60,
                seconds=seconds % 60,
            )
        case "text":
            return str(value["text"])
        case "date":
            return _date(str(value))
        case "files":
            names = ", ".join(str(f["name"]) for f in value)
            return t.ngettext("{n} file: {names}", "{n} files: {names}", len(value), names=names)
    return str(value)


def error_text(t: Translator, error: str, params: dict[str, int | str]) -> str:
    _ = t.gettext
    messages = {
        "expects_choice": _("Please choose one of the buttons below."),
        "expects_choices": _("Please choose with the buttons below, then press Done."),
        "expects_text": _("Please type your answer as text."),
        "expects_typed_text": _("Please type this answer; a voice message cannot be used here."),
        "expects_text_or_voice": _("Please type your answer or send a voice message."),
        "expects_number": _("Please write a number, for example 27."),
        "expects_date": _("Please write a date such as 12.03.2024, 03.2024 or 2024."),
        "date_in_future": _("This date is in the future. Please check it."),
        "expects_files": _("Please send photos or documents here, or press Skip."),
        "expects_button": _("Please use the buttons below."),
        "use_review_buttons": _("Please use the buttons under the summary."),
        "required": _(
            "This question cannot be skipped: the answer is needed to route your report."
        ),
        "choose_at_least_one": _("Choose at least one answer, or press Skip."),
        "no_files_yet": _("No file has been received yet. Send one, or press Skip."),
        "nothing_before": _("This is the first question."),
        "nothing_to_keep": _("Please answer, or press Skip."),
        "finished": _("This report is finished. Send /start to begin a new one."),
    }
    if error == "too_long":
        return _(
            "This answer is too long ({length} characters). Please keep it under {max}, "
            "or send it in parts later.",
            length=params.get("length", "?"),
            max=params.get("max", "?"),
        )
    if error == "out_of_range":
        return _("Please write a number from {min} to {max}.", min=params["min"], max=params["max"])
    if error == "file_too_large":
        return _(
            "This file is larger than {max_mb} MB, the most the bot can receive.",
            max_mb=params["max_mb"],
        )
    if error == "too_many_files":
        return _(
            "You can send at most {max} files here. Press Done to continue.", max=params["max"]
        )
    if error == "unsupported_file":
        return _("This kind of file cannot be received. Please send a photo, a PDF or a document.")
    if error == "sticker":
        return _("Stickers and other messages of this kind cannot be used as answers.")
    return messages.get(error, _("Please use the buttons below."))


def _date(iso: str) -> str:
    date = PartialDate.from_iso(iso)
    if date.day is not None and date.month is not None:
        return f"{date.day:02d}.{date.month:02d}.{date.year}"
    if date.month is not None:
        return f"{date.month:02d}.{date.year}"
    return str(date.year)


def choice_matcher(form: Form, catalogs: Catalogs) -> ChoiceMatcher:
    """Typed text that names a choice (in the complainant's language or English) chooses it."""

    def match(question: Question, language: str, text: str) -> str | None:
        wanted = text.strip().casefold()
        t = catalogs.translator(language)
        for choice in form.choices_for(question):
            if wanted in (t.gettext(choice.label).casefold(), choice.label.casefold()):
                return choice.code
        return None

    return match
