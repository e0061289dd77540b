"""Telegram's send limits, across replicas.

Telegram allows a bot about 30 messages a second overall, about one a second per chat and 20 a
minute per group. Replicas share them so:
- interactive replies go out inline, under a per-replica budget (`per_second`: give each of N
  replicas about 25/N) and, in groups, 20 a minute per group;
- every chat, private or group, also has a bucket of its own: a small burst (`CHAT_BURST`, so a
  step that answers with two or three messages goes out at once), then one a second. A person
  answering at a human pace never waits; only a flood of one chat's messages is spread out.
  The bucket lives in the replica's memory, and still holds across replicas because a chat's
  sends come from one place at a time: its interactive replies from the replica handling its
  update, which holds the chat's advisory lock and chat mutex until its last reply (so a chat's
  updates are handled one after another, whichever replica gets them), and everything
  proactive from the leader. When a chat's next update lands on another replica, that
  replica's bucket for it is fresh, so the burst can come once more; the rate past it stays
  about one a second, and a 429 still pauses everyone (below);
- everything proactive (cases to staff chats, relays, warnings, wipes) goes through the outbox and
  the wiper, which only the leader drains;
- a `retry_after` that any replica is told is written to one shared "pause until" row, which
  every replica reads (at most once a second) and honours before sending.

A single polling process has no per-second budget (`per_second=None`): its replies answer
people as they write, and a 429 still pauses it; the group window and the retry-after pause hold.

One refusal is also taken here, for every handler at once: answering a callback query after
Telegram's window (~15 s: an update redelivered after an outage, or a second replica answering
a query the first already answered) is refused as "query is too old". The phone's spinner has
stopped already, so there is nothing left to answer; the handler goes on to show the next step
instead of failing after its transaction committed.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, Protocol

from telegram.error import BadRequest, RetryAfter
from telegram.ext import BaseRateLimiter

from bot.chat.durations import seconds_of

log = logging.getLogger(__name__)
GROUP_PER_MINUTE = 20
CHAT_PER_SECOND = 1.0
CHAT_BURST = 3
_CHAT_BUCKETS_KEPT = 10_000  # past this many chats, the buckets of idle ones are dropped
Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]
# Calls that write to a chat honour the shared pause; reads (getUpdates, getMe, getFile,
# getWebhookInfo) are not limited. Of those, the ones that put a message in a chat (sending,
# copying, forwarding, editing) also spend the per-second budget; deleting a message and
# answering a button press are not messages and do not.
_SENDING = ("send", "edit", "delete", "copy", "forward", "answer", "pin", "unpin")
_UNBUDGETED = ("delete", "answer")


class SharedPause(Protocol):
    def until(self) -> dt.datetime | None: ...

    def pause_until(self, until: dt.datetime) -> None: ...


class _Bucket:
    """A token bucket: `burst` sends at once, then `per_second`."""

    def __init__(
        self,
        per_second: float,
        burst: float,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._rate = per_second
        self._burst = burst
        self._clock = clock
        self._sleep = sleep
        self._tokens = burst
        self._at = clock()
        self._lock = asyncio.Lock()

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(self._burst, self._tokens + (now - self._at) * self._rate)
        self._at = now

    def delay(self) -> float:
        """Take a send if one is there (0.0); otherwise the seconds until one will be."""
        self._refill()
        if self._tokens >= 1:
            self._tokens -= 1
            return 0.0
        return (1 - self._tokens) / self._rate

    def idle(self) -> bool:
        """Full again: forgetting this bucket changes nothing."""
        self._refill()
        return self._tokens >= self._burst

    async def take(self) -> None:
        async with self._lock:
            while (wait := self.delay()) > 0:
                await self._sleep(wait)


class _ChatBuckets:
    """One bucket per chat (CHAT_BURST, then CHAT_PER_SECOND)."""

    def __init__(
        self,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        burst: int = CHAT_BURST,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._burst = burst
        self._buckets: dict[object, _Bucket] = {}

    def bucket(self, chat: object) -> _Bucket:
        found = self._buckets.get(chat)
        if found is None:
            if len(self._buckets) >= _CHAT_BUCKETS_KEPT:
                self._buckets = {c: b for c, b in self._buckets.items() if not b.idle()}
            found = _Bucket(CHAT_PER_SECOND, self._burst, self._clock, self._sleep)
            self._buckets[chat] = found
        return found

    async def take(self, chat: object) -> None:
        await self.bucket(chat).take()


class _GroupWindow:
    """At most `limit` sends in any minute, per group chat."""

    def __init__(self, limit: int = GROUP_PER_MINUTE) -> None:
        self._limit = limit
        self._sent: dict[object, deque[float]] = {}

    async def take(self, chat: object) -> None:
        sent = self._sent.setdefault(chat, deque())
        while True:
            now = time.monotonic()
            while sent and now - sent[0] >= 60:
                sent.popleft()
            if len(sent) < self._limit:
                sent.append(now)
                return
            await asyncio.sleep(60 - (now - sent[0]))


class SendLimiter(BaseRateLimiter[None]):
    def __init__(
        self,
        per_second: float | None,
        pause: SharedPause | None = None,
        *,
        refresh_seconds: float = 1.0,
        on_retry_after: Callable[[], None] = lambda: None,
        on_retry: Callable[[], None] = lambda: None,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        chat_burst: int = CHAT_BURST,
    ) -> None:
        self._bucket = (
            None if per_second is None else _Bucket(per_second, max(1.0, per_second), clock, sleep)
        )
        self._chats = _ChatBuckets(clock, sleep, chat_burst)
        self._groups = _GroupWindow()
        self._pause = pause
        self._refresh = refresh_seconds
        self._checked = -float("inf")
        self._until: dt.datetime | None = None
        self._on_retry_after = on_retry_after
        self._on_retry = on_retry

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        if not endpoint.lower().startswith(_SENDING):
            return await callback(*args, **kwargs)
        chat = data.get("chat_id")
        budgeted = not endpoint.lower().startswith(_UNBUDGETED)
        for attempt in (1, 2):
            await self._wait_for_pause()
            if budgeted:
                if chat is not None:  # the chat's own pace first: a wait holds no global send
                    await self._chats.take(chat)
                if self._bucket is not None:
                    await self._bucket.take()
                if _is_group(chat):
                    await self._groups.take(chat)
            try:
                return await callback(*args, **kwargs)
            except BadRequest as error:
                too_old = "query is too old" in error.message.lower()
                if endpoint.lower() == "answercallbackquery" and too_old:
                    return True
                raise
            except RetryAfter as error:
                self._on_retry_after()
                await self._pause_all(seconds_of(error.retry_after))
                if attempt == 2:
                    raise
                self._on_retry()
        raise AssertionError("unreachable")

    async def _wait_for_pause(self) -> None:
        if self._pause is not None and time.monotonic() - self._checked >= self._refresh:
            self._checked = time.monotonic()
            try:
                shared = await asyncio.to_thread(self._pause.until)
            except Exception as error:  # the database may be away; the local pause still holds
                log.debug("could not read the shared pause: %s", type(error).__name__)
            else:
                if shared is not None and (self._until is None or shared > self._until):
                    self._until = shared
        if self._until is not None:
            wait = (self._until - dt.datetime.now(dt.UTC)).total_seconds()
            if wait > 0:
                await asyncio.sleep(wait)

    async def _pause_all(self, seconds: float) -> None:
        until = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=seconds)
        if self._until is None or until > self._until:
            self._until = until
        log.warning("Telegram asked to wait %.0f s; pausing sends on every replica", seconds)
        if self._pause is not None:
            try:
                await asyncio.to_thread(self._pause.pause_until, until)
            except Exception as error:
                log.warning("could not share the pause: %s", type(error).__name__)


def _is_group(chat: object) -> bool:
    if isinstance(chat, int):
        return chat < 0
    return isinstance(chat, str) and chat.startswith(("-", "@"))
