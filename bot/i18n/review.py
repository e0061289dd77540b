"""Who drafted each catalog and whether a native speaker has reviewed it.

Honest by construction: a language is `reviewed` only after a native speaker from a coalition
has read the whole catalog, and the entry then names who and when (docs/translations.md says
how). Until then the bot tells people, once and kindly, at the start, that the text is a draft,
with Russian one tap away.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

AI_DRAFT = "an AI language model (machine-assisted draft)"


class Review(StrEnum):
    SOURCE = "source"  # the English msgids themselves
    DRAFT = "draft, awaiting review by a native speaker"
    REVIEWED = "reviewed by a native speaker"


@dataclass(frozen=True)
class Status:
    review: Review
    drafted_by: str
    reviewed_by: str | None = None  # organisation and date; only once the review happened


STATUS: dict[str, Status] = {
    "en": Status(Review.SOURCE, "the project's contributors"),
    "ru": Status(Review.DRAFT, AI_DRAFT),
    "kk": Status(Review.DRAFT, AI_DRAFT),
    "ky": Status(Review.DRAFT, AI_DRAFT),
    "tg": Status(Review.DRAFT, AI_DRAFT),
    "uz": Status(Review.DRAFT, AI_DRAFT),
    "uz_Cyrl": Status(Review.DRAFT, AI_DRAFT + ", transliterated from uz by a tested converter"),
    "tk": Status(Review.DRAFT, AI_DRAFT),
}

# The language a draft notice offers instead. Russian is itself an unreviewed draft, but it is
# the one language read in every country of the region, so it gets no notice of its own: a
# notice there could only point to English.
ALTERNATIVE = "ru"


def status(language: str) -> Status:
    return STATUS.get(language, Status(Review.DRAFT, "unknown"))


def shows_draft_notice(language: str) -> bool:
    """True when the start of a conversation in this language says it is a draft."""
    return status(language).review == Review.DRAFT and language != ALTERNATIVE
