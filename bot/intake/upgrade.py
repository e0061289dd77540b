"""A draft begun under an earlier version of the form, brought to the current one when it is
loaded: old choice codes become the codes this version gives them (the form's `upgrades`), so
the summary shows their labels and the sealed case says the version its answers follow. Pure."""

from __future__ import annotations

from bot.intake.answers import AnswerValue
from bot.intake.draft import Draft
from bot.intake.form import Form


def upgraded(form: Form, draft: Draft) -> Draft:
    """The same draft, its answers read as the current version of the form reads them."""
    if draft.form_id != form.id or draft.form_version >= form.version:
        return draft
    for step in form.upgrades:
        if step.from_ < draft.form_version:
            continue
        if step.question in draft.answers:
            draft.answers[step.question] = _recoded(draft.answers[step.question], step.codes)
        if draft.pending_for == step.question:  # choices being ticked: codes
            draft.pending = [step.codes.get(str(code), code) for code in draft.pending]
    draft.form_version = form.version
    return draft


def _recoded(value: AnswerValue, codes: dict[str, str]) -> AnswerValue:
    if isinstance(value, str):
        return codes.get(value, value)
    if isinstance(value, list) and all(isinstance(code, str) for code in value):
        return [codes.get(str(code), str(code)) for code in value]
    return value
