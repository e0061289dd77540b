"""Partial dates as people write them, in every language of the bot.

Numbers: 12.03.2024, 12.03.24, 2024-03-12, 03.2024, 2024. Month names in Russian, Kazakh,
Kyrgyz, Tajik, Uzbek (both scripts), Turkmen and English, in the forms people type: «1 декабря»,
«ноябрь 2025», «1-dekabr», «2025-yil noyabr», «2025 жылғы 1 желтоқсан», «1-nji dekabr». Relative
days: «вчера», «позавчера», «kecha», «дирӯз», «düýn», … A day and month without a year is the
latest such day that is not in the future.

A date that cannot exist (31.02.2025) is refused as impossible, not as not understood, so the
person hears what is wrong with it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_PATTERNS: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = (
    (re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{4})$"), ("day", "month", "year")),
    (re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{2})$"), ("day", "month", "short_year")),
    (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"), ("year", "month", "day")),
    (re.compile(r"^(\d{1,2})[./-](\d{4})$"), ("month", "year")),
    (re.compile(r"^(\d{4})-(\d{1,2})$"), ("year", "month")),
    (re.compile(r"^(\d{4})$"), ("year",)),
)
EARLIEST_YEAR = 1950

# The names of the months as each language writes them (nominative), January first. A typed
# word is that month when it starts with one of these (lower-case, without a final soft sign)
# and goes on by at most a short ending: «декабря», «dekabrda», «желтоқсанда».
MONTHS: dict[str, tuple[str, ...]] = {
    "ru": ("январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь",
           "октябрь", "ноябрь", "декабрь"),
    "kk": ("қаңтар", "ақпан", "наурыз", "сәуір", "мамыр", "маусым", "шілде", "тамыз", "қыркүйек",
           "қазан", "қараша", "желтоқсан"),
    "ky": ("январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь",
           "октябрь", "ноябрь", "декабрь"),
    "tg": ("январ", "феврал", "март", "апрел", "май", "июн", "июл", "август", "сентябр",
           "октябр", "ноябр", "декабр"),
    "uz": ("yanvar", "fevral", "mart", "aprel", "may", "iyun", "iyul", "avgust", "sentabr",
           "oktabr", "noyabr", "dekabr"),
    "uz_Cyrl": ("январ", "феврал", "март", "апрел", "май", "июн", "июл", "август", "сентябр",
                "октябр", "ноябр", "декабр"),
    "tk": ("ýanwar", "fewral", "mart", "aprel", "maý", "iýun", "iýul", "awgust", "sentýabr",
           "oktýabr", "noýabr", "dekabr"),
    "en": ("january", "february", "march", "april", "may", "june", "july", "august",
           "september", "october", "november", "december"),
}  # fmt: skip
# Other spellings people use: Russian genitive of May, abbreviations, Uzbek with -ya-, Turkmen
# typed without its special letters, Kyrgyz traditional month names.
_OTHER_NAMES: dict[str, int] = {
    "мая": 5, "мае": 5, "янв": 1, "фев": 2, "апр": 4, "авг": 8, "сен": 9, "сент": 9, "окт": 10,
    "ноя": 11, "дек": 12, "sentyabr": 9, "oktyabr": 10, "yanwar": 1, "iyun": 6, "iyul": 7,
    "noyabr": 11, "jan": 1, "feb": 2, "mar": 3,
    "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
    "үчтүн айы": 1, "бирдин айы": 2, "жалган куран": 3, "чын куран": 4, "бугу": 5, "кулжа": 6,
    "теке": 7, "баш оона": 8, "аяк оона": 9, "тогуздун айы": 10, "жетинин айы": 11,
    "бештин айы": 12,
}  # fmt: skip
_ENDING = 4  # the longest case ending taken after a month's name

# Words around the numbers that carry nothing: "year", "of", "the", ordinal endings, "month".
_FILLER = frozenset(
    {
        "г", "гг", "год", "года", "году", "годом", "го", "е", "й", "число", "числа", "ж", "жыл",
        "жылы", "жылғы", "жылдың", "жылдын", "айы", "ай", "күні", "күнү", "сол", "соли", "моҳи",
        "санаи", "рӯзи", "yil", "yili", "yilning", "yilda", "oy", "oyi", "oyida", "kuni", "inchi",
        "nchi", "chi", "йил", "йили", "йилнинг", "ой", "ойи", "куни", "инчи", "нчи", "ýyl",
        "ýyly", "ýylyň", "ýylda", "aý", "aýy", "aýynda", "güni", "nji", "njy", "inji", "ynjy",
        "of", "the", "in", "on", "year", "th", "st", "nd", "rd"
    }
)  # fmt: skip
# Relative days, by how many days ago.
RELATIVE: dict[str, int] = {
    "сегодня": 0, "вчера": 1, "позавчера": 2,
    "бүгін": 0, "кеше": 1, "алдыңғы күні": 2, "алдыңгүні": 2, "бүрсігүні": 2,
    "бүгүн": 0, "кечээ": 1, "мурдагы күнү": 2, "алдыңкы күнү": 2,
    "имрӯз": 0, "дирӯз": 1, "парирӯз": 2,
    "bugun": 0, "kecha": 1, "oʻtgan kuni": 2, "avvalgi kuni": 2, "kechagi kun": 1,
    "бугун": 0, "кеча": 1, "ўтган куни": 2,
    "şu gün": 0, "düýn": 1, "öňňin": 2, "öňňün": 2, "duyn": 1,
    "today": 0, "yesterday": 1, "the day before yesterday": 2, "day before yesterday": 2,
}  # fmt: skip
_APOSTROPHES = re.compile(r"[ʼ'’‘`´]")
_WORDS = re.compile(r"[0-9]+|[^\W\d_]+")


class DateNotUnderstood(ValueError):
    pass


class DateInFuture(ValueError):
    pass


class DateImpossible(DateNotUnderstood):
    """Understood, but no such day exists (31.02.2025, 30 февраля)."""


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
    date = _understood(text, today)
    if _earliest_day(date) > today:
        raise DateInFuture(text)
    return date


def _understood(text: str, today: dt.date) -> PartialDate:
    cleaned = re.sub(r"\s+", "", text)
    for pattern, fields in _PATTERNS:
        match = pattern.match(cleaned)
        if match:
            values = dict(zip(fields, (int(g) for g in match.groups()), strict=True))
            if "short_year" in values:
                values["year"] = _full_year(values.pop("short_year"), today)
            return _validated(values.get("year", 0), values.get("month"), values.get("day"))
    phrase = _normalised(text)
    if phrase in RELATIVE:
        day = today - dt.timedelta(days=RELATIVE[phrase])
        return PartialDate(day.year, day.month, day.day)
    return _in_words(phrase, today)


def _in_words(phrase: str, today: dt.date) -> PartialDate:
    """A date with a month's name: the month, and at most one day and one year around it."""
    month = None
    for name, number in _OTHER_NAMES.items():
        if " " in name and name in phrase:
            month, phrase = number, phrase.replace(name, " ")
            break
    year = day = None
    for word in _WORDS.findall(phrase):
        if word.isascii() and word.isdigit():
            if len(word) == 4 and year is None:
                year = int(word)
            elif len(word) <= 2 and day is None:
                day = int(word)
            else:
                raise DateNotUnderstood(phrase)
        elif word in _FILLER:
            continue
        elif month is None and (found := month_of(word)) is not None:
            month = found
        else:
            raise DateNotUnderstood(phrase)
    if month is None:
        raise DateNotUnderstood(phrase)
    if year is None:  # the latest such day that is not in the future
        year = today.year
        if (month, day or 1) > (today.month, today.day):
            year -= 1
    return _validated(year, month, day)


def month_of(word: str) -> int | None:
    """The month a typed word names, in any language of the bot, or None."""
    word = word.removesuffix("ь")
    if word in _OTHER_NAMES:
        return _OTHER_NAMES[word]
    best: tuple[int, int] | None = None  # (length of the name, month)
    for names in MONTHS.values():
        for number, name in enumerate(names, start=1):
            stem = name.removesuffix("ь")
            fits = word.startswith(stem) and len(word) - len(stem) <= _ENDING
            if fits and (best is None or len(stem) > best[0]):
                best = (len(stem), number)
    for name, number in _OTHER_NAMES.items():
        fits = len(name) >= 3 and " " not in name and word.startswith(name)
        fits = fits and len(word) - len(name) <= _ENDING
        if fits and (best is None or len(name) > best[0]):
            best = (len(name), number)
    return best[1] if best else None


def _normalised(text: str) -> str:
    text = _APOSTROPHES.sub("ʻ", text.casefold())
    text = re.sub(r"[.,;:!?()«»\"/-]", " ", text)
    return " ".join(text.split())


def _full_year(short: int, today: dt.date) -> int:
    year = 2000 + short
    return year if year <= today.year else year - 100


def _validated(year: int, month: int | None, day: int | None) -> PartialDate:
    if year < EARLIEST_YEAR:
        raise DateNotUnderstood(str(year))
    if month is not None and not 1 <= month <= 12:
        if day is not None:
            raise DateImpossible(f"{day}.{month}.{year}")
        raise DateNotUnderstood(str(month))
    if day is not None:
        if not 1 <= day <= 31:
            raise DateImpossible(f"{day}.{month}.{year}")
        try:
            dt.date(year, month or 1, day)
        except ValueError as error:
            raise DateImpossible(f"{day}.{month}.{year}") from error
    return PartialDate(year, month, day)


def _earliest_day(date: PartialDate) -> dt.date:
    return dt.date(date.year, date.month or 1, date.day or 1)
