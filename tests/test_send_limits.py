"""Telegram's send limits across replicas: one retry_after pauses every replica (issue 12.2)."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest
from telegram.error import BadRequest, RetryAfter

from bot.chat.limits import CHAT_BURST, CHAT_PER_SECOND, SendLimiter
from tests.e2e import person_id


class SharedRow:
    """The coordination row, as two replicas see it."""

    def __init__(self) -> None:
        self.value: dt.datetime | None = None

    def until(self) -> dt.datetime | None:
        return self.value

    def pause_until(self, until: dt.datetime) -> None:
        if self.value is None or until > self.value:
            self.value = until


async def send(limiter: SendLimiter, callback: Any, endpoint: str = "sendMessage") -> Any:
    return await limiter.process_request(callback, (), {}, endpoint, {"chat_id": 1}, None)


async def test_a_retry_after_on_one_replica_pauses_the_other() -> None:
    row = SharedRow()
    told: list[str] = []
    first = SendLimiter(25, row, refresh_seconds=0, on_retry_after=lambda: told.append("429"))
    second = SendLimiter(25, row, refresh_seconds=0)
    calls = 0

    async def limited() -> bool:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RetryAfter(dt.timedelta(seconds=1))
        return True

    started = time.monotonic()
    assert await send(first, limited) is True, "retried once after the pause"
    assert told == ["429"]
    assert row.value is not None

    async def fine() -> bool:
        return True

    row.value = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=0.5)
    waited = time.monotonic()
    assert await send(second, fine) is True
    assert time.monotonic() - waited >= 0.4, "the other replica honoured the shared pause"
    assert time.monotonic() - started >= 1.0


async def test_reads_are_not_limited_and_a_late_callback_answer_is_no_failure() -> None:
    limiter = SendLimiter(1, SharedRow(), refresh_seconds=0)

    async def too_old() -> bool:
        raise BadRequest("Query is too old and response timeout expired or query ID is invalid")

    assert await send(limiter, too_old, "answerCallbackQuery") is True

    async def me() -> dict[str, Any]:
        return {"id": 1}

    started = time.monotonic()
    for _ in range(5):
        await send(limiter, me, "getMe")
    assert time.monotonic() - started < 0.5


class FakeTime:
    """A clock that moves only when the limiter sleeps or the test says a person took time;
    every wait the limiter decides on is recorded."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.waits: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds

    def limiter(self) -> SendLimiter:
        # A replica's budget large enough that only the per-chat bucket decides.
        return SendLimiter(30, SharedRow(), refresh_seconds=0, clock=self.clock, sleep=self.sleep)


async def sent(limiter: SendLimiter, chat: int, endpoint: str = "sendMessage") -> None:
    async def ok() -> bool:
        return True

    await limiter.process_request(ok, (), {}, endpoint, {"chat_id": chat}, None)


async def test_a_conversation_at_a_human_pace_never_waits_for_the_per_chat_limit() -> None:
    time_ = FakeTime()
    limiter = time_.limiter()
    chat = person_id(31)
    # Forty steps a second or two apart, each answered with one or two messages, and a
    # submission that answers with three at once.
    for step in range(40):
        for _ in range(1 + step % 2):
            await sent(limiter, chat, "editMessageText" if step % 3 else "sendMessage")
        time_.now += 2.0 if step % 2 else 1.2
    for _ in range(CHAT_BURST):
        await sent(limiter, chat)
    assert time_.waits == []


async def test_one_chat_flooded_gets_a_small_burst_then_one_message_a_second() -> None:
    time_ = FakeTime()
    limiter = time_.limiter()
    chat, other = person_id(32), person_id(33)
    started = time_.now
    for _ in range(CHAT_BURST):
        await sent(limiter, chat)
    assert time_.waits == [], "the burst goes out at once"
    for _ in range(10):
        await sent(limiter, chat)
    assert time_.now - started == pytest.approx(10 / CHAT_PER_SECOND)
    assert all(wait == pytest.approx(1 / CHAT_PER_SECOND) for wait in time_.waits)
    waited = len(time_.waits)
    for _ in range(CHAT_BURST):
        await sent(limiter, other)
    assert len(time_.waits) == waited, "another chat is not held back by the first"


async def test_button_answers_and_reads_do_not_spend_the_chat_budget() -> None:
    time_ = FakeTime()
    limiter = time_.limiter()
    chat = person_id(34)
    for _ in range(20):
        await sent(limiter, chat, "answerCallbackQuery")
        await sent(limiter, chat, "deleteMessage")
        await sent(limiter, chat, "getChat")
    for _ in range(CHAT_BURST):
        await sent(limiter, chat)
    assert time_.waits == []
