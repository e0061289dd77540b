import datetime as dt

import pytest

from bot.intake.dates import DateInFuture, DateNotUnderstood, PartialDate, parse_partial_date

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
    "text", ["", "yesterday", "31.02.2024", "13.2024", "12.13.2024", "1899", "2024-3-"]
)
def test_dates_that_are_not_dates_are_refused(text: str) -> None:
    with pytest.raises(DateNotUnderstood):
        parse_partial_date(text, TODAY)


@pytest.mark.parametrize("text", ["28.11.2026", "12.2026", "2027"])
def test_dates_in_the_future_are_refused(text: str) -> None:
    with pytest.raises(DateInFuture):
        parse_partial_date(text, TODAY)
