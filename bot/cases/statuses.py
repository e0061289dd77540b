"""Case statuses: the codes stored, the labels staff and complainants read. Pure."""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import StrEnum

from bot.i18n import Translator


def N_(message: str) -> str:
    """Mark a message for extraction; it is translated where it is shown."""
    return message


class CaseStatus(StrEnum):
    """Where a case stands. Each value is the code storage keeps and staff may type."""

    NEW = "new"
    IN_PROGRESS = "in_progress"
    WAITING = "waiting"
    REFERRED = "referred"
    CLOSED = "closed"


STATUSES: dict[CaseStatus, str] = {
    CaseStatus.NEW: N_("new"),
    CaseStatus.IN_PROGRESS: N_("in progress"),
    CaseStatus.WAITING: N_("waiting for the complainant"),
    CaseStatus.REFERRED: N_("referred"),
    CaseStatus.CLOSED: N_("closed"),
}
OPEN = tuple(code for code in CaseStatus if code is not CaseStatus.CLOSED)


def status_label(t: Translator, status: str) -> str:
    return t.gettext(STATUSES[CaseStatus(status)]) if status in STATUSES else status


def parse_status(typed: str, translators: Iterable[Translator]) -> CaseStatus | None:
    """A status from its code or its label in any language staff might type it in."""
    wanted = _simplified(typed)
    for code, label in STATUSES.items():
        if wanted in {_simplified(code), _simplified(label)}:
            return code
        if any(wanted == _simplified(t.gettext(label)) for t in translators):
            return code
    return None


def _simplified(text: str) -> str:
    return re.sub(r"[\s_\-]+", " ", text.strip().lower())
