import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.intake.dates import (
    MONTHS,
    RELATIVE,
    DateImpossible,
    DateInFuture,
    DateNotUnderstood,
    PartialDate,
    parse_partial_date,
)

TODAY = dt.date(2026, 11, 27)


@pytest.mark.parametrize(
    ("text", "iso", "precision"),
    [
        ("12.03.2024", "2024-03-12", "day"),
        ("2024-03-12", "2024-03-12", "day"),
        ("1.3.2024", "2024-03-01", "day"),
        ("12/03/2024", "2024-03-12", "day"),
        ("03.2024", "2024-03", "month"),
        ("3.2024", "2024-03", "month"),
        ("2024-03", "2024-03", "month"),
        ("2024", "2024", "year"),
        (" 2024 ", "2024", "year"),
        ("27.11.2026", "2026-11-27", "day"),
    ],
)
def test_dates_people_write_keep_their_precision(text: str, iso: str, precision: str) -> None:
    date = parse_partial_date(text, TODAY)
    assert date.iso() == iso
    assert date.precision == precision
    assert PartialDate.from_iso(iso) == date


@pytest.mark.parametrize(
    "text",
    ["", "last week", "31.02.2024", "13.2024", "12.13.2024", "1899", "2024-3-", "около вокзала",
     "12", "12 34 декабря", "декабрь январь", "1.2.3"],
)  # fmt: skip
def test_dates_that_are_not_dates_are_refused(text: str) -> None:
    with pytest.raises(DateNotUnderstood):
        parse_partial_date(text, TODAY)


@pytest.mark.parametrize(
    "text", ["31.02.2024", "12.13.2024", "31.04.2025", "30 февраля 2024", "32 декабря", "29.02.25"]
)
def test_impossible_dates_are_told_apart(text: str) -> None:
    """They are not understood as dates (as above), and the person hears why."""
    with pytest.raises(DateImpossible):
        parse_partial_date(text, TODAY)


@pytest.mark.parametrize("text", ["", "last week", "1899", "2024-3-", "около вокзала", "12"])
def test_what_is_no_date_at_all_is_not_called_impossible(text: str) -> None:
    with pytest.raises(DateNotUnderstood) as caught:
        parse_partial_date(text, TODAY)
    assert not isinstance(caught.value, DateImpossible)


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("1 декабря 2025", "2025-12-01"), ("1 декабря", "2025-12-01"), ("27 ноября", "2026-11-27"),
        ("ноябрь 2025", "2025-11"), ("15.11.25", "2025-11-15"), ("15/11/99", "1999-11-15"),
        ("вчера", "2026-11-26"), ("позавчера", "2026-11-25"), ("сегодня", "2026-11-27"),
        ("1-dekabr", "2025-12-01"), ("2025-yil noyabr", "2025-11"),
        ("2025 yil 5-mart", "2025-03-05"),
        ("12 мая 2024 года", "2024-05-12"), ("1-го июня 2020 г.", "2020-06-01"),
        ("2025 жылғы 1 желтоқсан", "2025-12-01"), ("наурыз 2024", "2024-03"),
        ("кеше", "2026-11-26"),
        ("5 октябрь 2023", "2023-10-05"), ("кечээ", "2026-11-26"), ("жалган куран 2020", "2020-03"),
        ("10 сентябри 2024", "2024-09-10"), ("дирӯз", "2026-11-26"), ("парирӯз", "2026-11-25"),
        ("5 iýun 2023", "2023-06-05"), ("1-nji dekabr 2025", "2025-12-01"), ("düýn", "2026-11-26"),
        ("öňňin", "2026-11-25"), ("kecha", "2026-11-26"), ("oʻtgan kuni", "2026-11-25"),
        ("o'tgan kuni", "2026-11-25"), ("кеча", "2026-11-26"), ("15 сентябр 2024", "2024-09-15"),
        ("yesterday", "2026-11-26"), ("March 2024", "2024-03"), ("3 Jan 2021", "2021-01-03"),
        ("ДЕКАБРЬ 2024", "2024-12"),
    ],
)  # fmt: skip
def test_dates_in_words_in_every_language(text: str, iso: str) -> None:
    assert parse_partial_date(text, TODAY).iso() == iso


def test_a_day_and_month_in_the_future_this_year_mean_last_year() -> None:
    assert parse_partial_date("5 декабря", TODAY).iso() == "2025-12-05"
    assert parse_partial_date("декабрь", TODAY).iso() == "2025-12"


DAYS = st.dates(min_value=dt.date(1950, 1, 1), max_value=TODAY)
GENITIVE_RU = ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа",
               "сентября", "октября", "ноября", "декабря"]  # fmt: skip


@pytest.mark.parametrize("language", sorted(MONTHS))
@given(day=DAYS, style=st.integers(0, 3))
def test_any_day_written_with_a_month_name_is_understood(
    language: str, day: dt.date, style: int
) -> None:
    month = MONTHS[language][day.month - 1]
    month = month.upper() if style == 3 else month
    text = [
        f"{day.day} {month} {day.year}",
        f"{day.year}-{'yil' if language.startswith('uz') else ''} {day.day}-{month}",
        f"{day.day}-{month} {day.year}",
        f"{day.day} {month} {day.year}",
    ][style]
    assert parse_partial_date(text, TODAY) == PartialDate(day.year, day.month, day.day)
    assert parse_partial_date(f"{month} {day.year}", TODAY) == PartialDate(day.year, day.month)


@given(day=DAYS)
def test_any_day_in_russian_genitive_and_with_a_short_year(day: dt.date) -> None:
    genitive = GENITIVE_RU[day.month - 1]
    assert parse_partial_date(f"{day.day} {genitive} {day.year} г.", TODAY).day == day.day
    short = f"{day.day:02d}.{day.month:02d}.{day.year % 100:02d}"
    assert parse_partial_date(short, TODAY) == PartialDate(day.year, day.month, day.day)


@given(words=st.sampled_from(sorted(RELATIVE)))
def test_relative_days_count_back_from_today(words: str) -> None:
    expected = TODAY - dt.timedelta(days=RELATIVE[words])
    assert parse_partial_date(words, TODAY) == PartialDate(
        expected.year, expected.month, expected.day
    )


@given(text=st.text(max_size=30))
def test_no_typed_text_breaks_the_parser(text: str) -> None:
    try:
        date = parse_partial_date(text, TODAY)
    except (DateNotUnderstood, DateInFuture):
        return
    assert dt.date(date.year, date.month or 1, date.day or 1) <= TODAY


@pytest.mark.parametrize("text", ["28.11.2026", "12.2026", "2027"])
def test_dates_in_the_future_are_refused(text: str) -> None:
    with pytest.raises(DateInFuture):
        parse_partial_date(text, TODAY)


def test_the_engine_gives_an_impossible_date_its_own_refusal_and_wording() -> None:
    from bot.chat.texts import error_text
    from bot.i18n import Catalogs
    from bot.intake import engine
    from bot.intake.vocabulary import Refusal

    with pytest.raises(engine._Refusal) as caught:
        engine._date("31.02.2025", TODAY)
    assert caught.value.error == Refusal.DATE_IMPOSSIBLE
    with pytest.raises(engine._Refusal) as caught:
        engine._date("около вокзала", TODAY)
    assert caught.value.error == Refusal.EXPECTS_DATE
    catalogs = Catalogs.load()
    for language in catalogs.offered:
        said = error_text(catalogs.translator(language), Refusal.DATE_IMPOSSIBLE, {})
        assert "31" in said
        assert said != error_text(catalogs.translator(language), Refusal.EXPECTS_DATE, {})
