"""Whole numbers as people write them, in every language of the bot: «34», «34 года», «34 yosh»,
«34 жаш», «около 30», «~10 человек», «1 200»; and, where an age is asked, a year of birth.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

# Words around a number that carry nothing for its value: years of age, people, "about".
UNIT_WORDS = frozenset(
    {
        "год", "года", "лет", "годиков", "г", "человек", "человека", "чел", "около", "примерно",
        "приблизительно", "где", "то", "~", "жас", "жаста", "жасында", "жыл", "жылдық", "адам",
        "шамамен", "шамасы", "шақты", "жаш", "жашта", "жашында", "киши", "болжол", "менен", "жакын",
        "сол", "сола", "солаш", "солам", "нафар", "одам", "тахминан", "қариб", "наздики", "yosh",
        "yoshda", "yoshli", "yil", "kishi", "odam", "nafar", "taxminan", "qariyb", "ёш", "ёшда",
        "ёшли", "йил", "қарийб", "ýaş", "ýaşynda", "ýaşly",
        "ýyl", "adam", "kişi", "takmynan", "golaý", "töweregi", "years", "year", "yrs", "old",
        "aged", "about", "around", "approximately", "roughly", "people", "persons", "person"
    }
)  # fmt: skip
_TOKEN = re.compile(r"[0-9]+|[^\W_]+|~")


class NotANumber(ValueError):
    pass


def parse_number(text: str) -> int:
    """The one whole number in the text; the other words may only be units or "about"."""
    cleaned = "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in text)
    cleaned = cleaned.casefold().replace("\u00a0", " ")
    cleaned = re.sub(r"(?<=\d)[ .,'’](?=\d{3}\b)", "", cleaned)  # 1 200, 1.200, 1,200
    negative = cleaned.strip().startswith("-")
    numbers: list[int] = []
    for token in _TOKEN.findall(cleaned):
        if token.isascii() and token.isdigit():
            numbers.append(int(token))
        elif token not in UNIT_WORDS:
            raise NotANumber(text)
    if len(numbers) != 1 or len(str(numbers[0])) > 9:
        raise NotANumber(text)
    return -numbers[0] if negative else numbers[0]


def age_from_birth_year(value: int, today: dt.date, oldest: int) -> int | None:
    """A four-digit year of birth where an age is asked: the age this year (the birthday may be
    yet to come, which a year alone cannot tell). None when the number is no such year."""
    if 1000 <= value <= today.year and today.year - value <= oldest:
        return today.year - value
    return None
