"""Whole numbers typed in every language of the bot, and a year of birth where an age is asked."""

import contextlib
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.intake import engine
from bot.intake.loader import load_form
from bot.intake.numbers import NotANumber, age_from_birth_year, parse_number

TODAY = dt.date(2026, 11, 27)
FORM = load_form()
UNITS = {
    "ru": ["", "года", "лет", "год"],
    "kk": ["жас", "жаста"],
    "ky": ["жаш", "жашта"],
    "tg": ["сол", "сола", "солаш"],
    "uz": ["yosh", "yoshda"],
    "uz_Cyrl": ["ёш", "ёшда"],
    "tk": ["ýaş", "ýaşynda"],
    "en": ["years", "years old"],
}
ABOUT = {"ru": "около", "kk": "шамамен", "tg": "тахминан", "uz": "taxminan", "tk": "takmynan"}


@pytest.mark.parametrize(
    ("text", "value"),
    [("34", 34), ("34 года", 34), ("34 yosh", 34), ("34 жаш", 34), ("около 30", 30),
     ("~10 человек", 10), ("1 200", 1200), ("-5", -5), ("34 ýaş", 34), ("27 жаста", 27),
     ("٣٤", 34), ("34 года.", 34), ("где-то 40", 40)],
)  # fmt: skip
def test_numbers_people_write(text: str, value: int) -> None:
    assert parse_number(text) == value


@pytest.mark.parametrize("text", ["", "abc", "34 и 35", "12abc", "❶", "1-2", "пять"])
def test_what_is_not_one_number_is_refused(text: str) -> None:
    with pytest.raises(NotANumber):
        parse_number(text)


@pytest.mark.parametrize("language", sorted(UNITS))
@given(age=st.integers(0, 110), unit=st.integers(0, 1), about=st.booleans())
def test_an_age_with_its_unit_in_every_language(
    language: str, age: int, unit: int, about: bool
) -> None:
    units = UNITS[language]
    prefix = ABOUT.get(language, "about") + " " if about else ""
    assert parse_number(f"{prefix}{age} {units[unit % len(units)]}") == age


@given(text=st.text(max_size=20))
def test_no_typed_text_breaks_the_number_parser(text: str) -> None:
    with contextlib.suppress(NotANumber):
        parse_number(text)


@given(year=st.integers(TODAY.year - 110, TODAY.year))
def test_a_year_of_birth_gives_the_age_this_year(year: int) -> None:
    assert age_from_birth_year(year, TODAY, 110) == TODAY.year - year


def test_the_age_question_takes_a_year_of_birth_and_other_numbers_do_not() -> None:
    age = FORM.question("v_age")
    assert age.age
    assert engine._integer(age, "1991", TODAY) == 35
    assert engine._integer(age, "34 года", TODAY) == 34
    others = FORM.question("p_others")
    assert not others.age
    assert engine._integer(others, "1991", TODAY) == 1991
    with pytest.raises(engine._Refusal):
        engine._integer(age, "1800", TODAY)
