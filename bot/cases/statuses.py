"""Case statuses: the codes stored, the labels staff and complainants read. Pure."""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.i18n import Translator


def N_(message: str) -> str:
    """Mark a message for extraction; it is translated where it is shown."""
    return message


STATUSES: dict[str, str] = {
    "new": N_("new"),
    "in_progress": N_("in progress"),
    "waiting": N_("waiting for the complainant"),
    "referred": N_("referred"),
    "closed": N_("closed"),
}
OPEN = tuple(code for code in STATUSES if code != "closed")


def status_label(t: Translator, status: str) -> str:
    return t.gettext(STATUSES[status]) if status in STATUSES else status


def parse_status(typed: str, translators: Iterable[Translator]) -> str | None:
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
