"""How long a button's label may be so that a narrow phone shows all of it. Pure.

Telegram draws an inline button's label on one line and cuts what does not fit with "…". The
width to plan for is a phone 360 dp wide (most cheap Android phones in the region; an old
iPhone SE is 320 pt, close to it). There the keyboard under a bot's message is about 330 dp wide;
a full-width button keeps some padding on both sides and writes its label at 15 dp, where
Latin and Cyrillic letters take about 8.5 dp on average: about 34-36 letters show. We allow
FULL_ROW = 32, which keeps a margin for wide letters (ш, ж, ю, ҳ, ğ, m, w) and for people who
have made the phone's font a step larger. A row of n buttons shares that width in equal parts,
with a small gap between them (counted as two letters), so each label of the row may have
(FULL_ROW - 2·(n-1)) // n: 15 for two, 9 for three.

An emoji is drawn about twice as wide as a letter, so it counts as two; the invisible joiners
and variation selectors that follow emoji count as nothing.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

FULL_ROW = 32
GAP = 2
_INVISIBLE = frozenset("\ufe0f\ufe0e\u200d\u200b")


def label_width(label: str) -> int:
    """The label's width in letters, as a phone draws it."""
    width = 0
    for char in label:
        if char in _INVISIBLE or unicodedata.combining(char):
            continue
        wide = ord(char) >= 0x2190 and unicodedata.category(char) in ("So", "Sm")
        width += 2 if wide or unicodedata.east_asian_width(char) == "W" else 1
    return width


def label_limit(buttons_in_row: int) -> int:
    """The widest label a button may have in a row of this many buttons."""
    return (FULL_ROW - GAP * (buttons_in_row - 1)) // buttons_in_row


def too_wide(row: Sequence[str]) -> list[str]:
    """The labels of a row that a narrow phone would cut."""
    limit = label_limit(len(row))
    return [label for label in row if label_width(label) > limit]
