"""Partial dates as people write them: 12.03.2024, 2024-03-12, 03.2024, 2024."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_PATTERNS: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = (
    (re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{4})$"), ("day", "month", "year")),
    (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"), ("year", "month", "day")),
    (re.compile(r"^(\d{1,2})[./-](\d{4})$"), ("month", "year")),
    (re.compile(r"^(\d{4})-(\d{1,2})$"), ("year", "month")),
    (re.compile(r"^(\d{4})$"), ("year",)),
)
EARLIEST_YEAR = 1950


class DateNotUnderstood(ValueError):
    pass


class DateInFuture(ValueError):
    pass


@dataclass(frozen=True)
class PartialDate:
    year: int
    month: int | None = None
    day: int | None = None

    def iso(self) -> str:
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    @property
    def precision(self) -> str:
        return "year" if self.month is None else "month" if self.day is None else "day"

    @classmethod
    def from_iso(cls, text: str) -> PartialDate:
        parts = [int(p) for p in text.split("-")]
        return cls(*parts)


def parse_partial_date(text: str, today: dt.date) -> PartialDate:
    cleaned = re.sub(r"\s+", "", text)
    for pattern, fields in _PATTERNS:
        match = pattern.match(cleaned)
        if match:
            values = dict(zip(fields, (int(g) for g in match.groups()), strict=True))
            date = _validated(values.get("year", 0), values.get("month"), values.get("day"))
            if _earliest_day(date) > today:
                raise DateInFuture(text)
            return date
    raise DateNotUnderstood(text)


def _validated(year: int, month: int | None, day: int | None) -> PartialDate:
    if year < EARLIEST_YEAR:
        raise DateNotUnderstood(str(year))
    if month is not None and not 1 <= month <= 12:
        raise DateNotUnderstood(str(month))
    if day is not None:
        try:
            dt.date(year, month or 1, day)
        except ValueError as error:
            raise DateNotUnderstood(str(day)) from error
    return PartialDate(year, month, day)


def _earliest_day(date: PartialDate) -> dt.date:
    return dt.date(date.year, date.month or 1, date.day or 1)
