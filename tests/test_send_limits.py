"""Telegram's send limits across replicas: one retry_after pauses every replica (issue 12.2)."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from telegram.error import BadRequest, RetryAfter

from bot.chat.limits import SendLimiter


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
