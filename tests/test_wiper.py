"""The wiper, over the unit of work (in memory and SQLite) and an in-process bot: a deletion that
fails is kept and retried until it succeeds or Telegram's 48-hour window closes."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from telegram.error import NetworkError

from bot.chat.wiper import Wiper
from tests.fake_bot import FakeBot
from tests.kit import Clock, Units

CHAT = 8_120_554_317


class Chat:
    def __init__(self, units: Units) -> None:
        self.units = units
        self.bot = FakeBot()
        self.clock = Clock()
        self.wiper = Wiper(self.bot.as_bot(), units, clock=self.clock, idle_seconds=0.01)

    def pending(self) -> int:
        with self.units() as unit:
            return unit.wipes.count()

    async def a_round(self) -> None:
        """Let the background loop run (every due wipe once at this clock), then stop it."""
        stop = asyncio.Event()
        task = asyncio.create_task(self.wiper.run(stop))
        await asyncio.sleep(0.1)
        stop.set()
        await task


@pytest.fixture
def chat(units: Units) -> Chat:
    return Chat(units)


async def test_a_wipe_deletes_at_once_and_keeps_nothing(chat: Chat) -> None:
    assert await chat.wiper.wipe(CHAT, [12, 11, 12, 0, -3])
    assert chat.bot.deleted == [(CHAT, [11, 12])], "sorted, once each, only real ids"
    assert chat.pending() == 0


async def test_long_conversations_are_deleted_in_batches_of_a_hundred(chat: Chat) -> None:
    assert await chat.wiper.wipe(CHAT, range(1, 251))
    assert [len(ids) for _, ids in chat.bot.deleted] == [100, 100, 50]


async def test_a_failed_wipe_is_kept_and_retried_until_it_succeeds(chat: Chat) -> None:
    chat.bot.failures.append(NetworkError("down"))
    assert not await chat.wiper.wipe(CHAT, [21, 22])
    assert chat.pending() == 1
    await chat.a_round()
    assert chat.bot.deleted == [(CHAT, [21, 22])]
    assert chat.pending() == 0


async def test_retries_back_off_and_stop_when_telegram_no_longer_allows_deleting(
    chat: Chat,
) -> None:
    chat.bot.failures += [NetworkError("down")] * 3
    assert not await chat.wiper.wipe(CHAT, [31])
    await chat.a_round()  # the first retry fails: the next waits 2 s
    assert chat.pending() == 1
    chat.clock.advance(seconds=1)
    await chat.a_round()
    assert chat.bot.failures, "not retried before its time"
    chat.clock.advance(seconds=1)
    await chat.a_round()  # the second retry fails too
    assert not chat.bot.failures
    chat.clock.advance(hours=48)
    await chat.a_round()
    assert chat.bot.deleted == [], "past the window it is given up, not tried"
    assert chat.pending() == 0


async def test_a_failed_retry_leaves_only_the_hour_on_record(chat: Chat) -> None:
    chat.bot.failures += [NetworkError("down")] * 2
    chat.clock.advance(minutes=17, seconds=23)
    assert not await chat.wiper.wipe(CHAT, [51])
    await chat.a_round()  # fails again: its next try is held in memory, not stored
    with chat.units() as unit:
        stored = unit.wipes.due(chat.clock(), limit=5)
    assert [w.attempts for w in stored] == [1], "on record as due: no exact retry time stored"
    await chat.a_round()
    assert chat.bot.deleted == [], "yet not retried before its backoff"
    chat.clock.advance(seconds=2)
    await chat.a_round()
    assert chat.bot.deleted == [(CHAT, [51])]


async def test_a_scheduled_wipe_waits_for_its_time(chat: Chat) -> None:
    await chat.wiper.schedule(CHAT, [41, 41, 42], dt.timedelta(hours=24))
    chat.clock.advance(hours=23, minutes=59)
    await chat.a_round()
    assert chat.bot.deleted == []
    chat.clock.advance(hours=1, minutes=1)  # due at the hour after: stored times are coarse
    await chat.a_round()
    assert chat.bot.deleted == [(CHAT, [41, 42])]
    assert chat.pending() == 0
