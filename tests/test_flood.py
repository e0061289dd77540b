"""A flood from one person is dropped cheaply and never holds up anyone else."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

from bot.chat.flood import FloodGuard
from tests.e2e import (
    FORM,
    Complainant,
    make_coalitions,
    named,
    person_id,
    running_bot,
    settings_for,
)
from tests.standin import BotApiStandIn


class Clock:
    def __init__(self) -> None:
        self.now = 0.0
        self.day = dt.date(2026, 11, 27)

    def __call__(self) -> float:
        return self.now


def test_a_bucket_refills_and_warns_once_per_flood() -> None:
    clock = Clock()
    guard = FloodGuard(per_second=1, burst=3, clock=clock, today=lambda: clock.day)
    assert [guard.check(1).allowed for _ in range(3)] == [True, True, True]
    assert guard.check(1).warn
    assert not guard.check(1).warn
    assert guard.check(2).allowed, "another person is not affected"
    clock.now += 1.0
    assert guard.check(1).allowed
    assert not guard.check(1).allowed


def test_the_key_rotates_daily_and_forgets_everything() -> None:
    clock = Clock()
    guard = FloodGuard(per_second=0.001, burst=1, clock=clock, today=lambda: clock.day)
    assert guard.check(1).allowed
    assert not guard.check(1).allowed
    clock.day += dt.timedelta(days=1)
    assert guard.check(1).allowed


async def test_a_flooder_does_not_delay_another_complainant(
    standin: BotApiStandIn, tmp_path: Path
) -> None:
    coalitions, _ = make_coalitions(standin, tmp_path / "config")
    database = f"sqlite:///{tmp_path}/db.sqlite3"
    settings = settings_for(standin, tmp_path / "data", database, coalitions, flood_burst=20)
    flooder = standin.user(person_id(1001), named("Spam"), language_code="en")
    person = Complainant(
        standin, standin.user(person_id(1002), named("Aziza"), language_code="en"), "en"
    )
    async with running_bot(settings):
        await person.command("start")
        flood = asyncio.gather(*(flooder.send_text(f"spam {n}") for n in range(300)))
        await person.walk(
            {"a_safe_now": "yes", "a_urgent": "yes", "b_consent_store": "yes", "r_role": "victim"},
            stop_at="e_date",
        )
        await flood
        await standin.wait_idle(quiet=0.3)
    assert person.question_on_screen() == FORM.question("e_date")
    to_flooder = [
        c for c in standin.calls_of("sendMessage") if int(c.params["chat_id"]) == flooder.user_id
    ]
    assert 1 <= len(to_flooder) <= 25, len(to_flooder)
    warnings = [c for c in to_flooder if "very fast" in c.params["text"]]
    assert len(warnings) == 1
