"""A flood from one person is dropped cheaply and never holds up anyone else."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

from bot.chat.flood import BUTTON_COST, FloodGuard
from tests.e2e import (
    FORM,
    Answer,
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


def test_a_bucket_refills_and_each_message_not_taken_is_said_until_it_is_a_real_flood() -> None:
    clock = Clock()
    guard = FloodGuard(per_second=1, burst=3, clock=clock, today=lambda: clock.day)
    assert [guard.check(1).allowed for _ in range(3)] == [True, True, True]
    refused = [guard.check(1) for _ in range(8)]
    assert not any(v.allowed for v in refused)
    assert [v.warn for v in refused] == [True] * 5 + [False] * 3, "said for each, then a flood"
    assert [v.owed for v in refused] == [False] * 5 + [True, False, False], "one notice owed"
    assert guard.settle(1) == 3, "the notice counts every message not answered"
    assert guard.settle(1) == 0
    assert guard.check(2).allowed, "another person is not affected"
    clock.now += 1.0
    assert guard.check(1).allowed
    assert not guard.check(1).allowed
    clock.now += 3.0
    assert [guard.check(1).allowed for _ in range(3)] == [True, True, True]
    assert [guard.check(1).warn for _ in range(2)] == [True, False], "one more said per 3 s"


def test_presses_not_taken_are_not_counted_as_lost_messages() -> None:
    clock = Clock()
    guard = FloodGuard(per_second=1, burst=1, clock=clock, today=lambda: clock.day)
    guard.check(1)
    pressed = [guard.check(1, BUTTON_COST) for _ in range(12)]
    assert not any(v.allowed or v.owed for v in pressed[5:]), "the button stays to press again"
    assert guard.settle(1) == 0


def test_button_presses_cost_a_fraction_of_a_message() -> None:
    clock = Clock()
    guard = FloodGuard(per_second=1, burst=20, clock=clock, today=lambda: clock.day)
    assert all(guard.check(1, BUTTON_COST).allowed for _ in range(40)), "40 Skips in a second"
    assert all(guard.check(1).allowed for _ in range(12)), "and still room for answers"


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
    assert 1 <= len(warnings) <= 8
    assert all("was not saved" in c.params["text"] for c in warnings)


async def test_pressing_skip_quickly_then_answering_loses_nothing_unsaid(
    standin: BotApiStandIn, tmp_path: Path
) -> None:
    """The default limits, and Skip pressed as fast as a thumb can through a long form: the
    typed answer and the photo after it are taken, and nothing says "very fast"."""
    coalitions, _ = make_coalitions(standin, tmp_path / "config")
    database = f"sqlite:///{tmp_path}/db.sqlite3"
    settings = settings_for(standin, tmp_path / "data", database, coalitions, flood_burst=20)
    user = standin.user(person_id(1003), named("Kamila"), language_code="en")
    person = Complainant(standin, user, "en", quiet=0.02)
    photo = b"\xff\xd8\xff\xe0" + b"a bruise " * 20
    script: dict[str, Answer] = {
        "a_safe_now": "yes",
        "a_urgent": "no",
        "b_consent_store": "yes",
        "r_role": "relative",
        "e_narrative": "They held him for two days without food.",
        "e_country": "KZ",
    }
    async with running_bot(settings):
        await person.command("start")
        asked = await person.walk(script, stop_at="h_files")
        await user.send_photo(photo)
        taken = await person.settle()
    said = [m.content for m in user.visible_messages() + user.deleted_messages() if m.from_bot]
    assert len(asked) >= 25, "a long run of presses"
    assert "e_narrative" in asked
    assert not [text for text in said if "very fast" in text]
    assert person.t.ngettext("{n} file received.", "{n} files received.", 1) in taken.content


async def test_every_message_a_burst_loses_is_said_either_at_once_or_in_one_later_notice(
    standin: BotApiStandIn, tmp_path: Path
) -> None:
    coalitions, _ = make_coalitions(standin, tmp_path / "config")
    database = f"sqlite:///{tmp_path}/db.sqlite3"
    settings = settings_for(standin, tmp_path / "data", database, coalitions, flood_burst=4)
    settings = settings.model_copy(update={"flood_per_second": 0.001})  # no refill in the test
    user = standin.user(person_id(1004), named("Gulnara"), language_code="en")
    person = Complainant(standin, user, "en")
    sent = 14
    async with running_bot(settings):
        await person.command("start")  # takes one of the 4
        await asyncio.gather(*(user.send_text(f"answer {n}") for n in range(sent)))
        await standin.wait_for(
            lambda: any("in the last seconds" in m.content for m in user.visible_messages()), 15
        )
        await standin.wait_idle(quiet=0.5, timeout=20)
    said = [m.content for m in user.visible_messages() if m.from_bot]
    at_once = [text for text in said if "this message was not saved" in text]
    later = [int(text.split()[0]) for text in said if "in the last seconds" in text]
    assert len(at_once) >= 5, "the reply budget is spent first"
    assert later, "then the rest is counted into a later notice"
    assert len(at_once) + sum(later) == sent - 3, "each message not taken is said, once"
