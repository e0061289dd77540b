"""Long polling that confirms an update to Telegram only once it has been handled.

python-telegram-bot's Updater confirms a batch (by asking for the next offset) before its handlers
have run, so a crash loses those updates. Here each batch is handled first, chats concurrently and
each chat's updates in order, and only then confirmed by the next getUpdates offset. An update whose
handler failed is not confirmed: it comes back after a pause and is tried again, at most
`max_attempts` times; the service's update-id claim makes a redelivered update harmless.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import Iterable

from telegram import Update
from telegram.error import NetworkError, RetryAfter, TelegramError
from telegram.ext import Application

from bot.chat.durations import seconds_of
from bot.logs import new_request

log = logging.getLogger(__name__)
ALLOWED_UPDATES = ["message", "callback_query"]


class DurablePoller:
    def __init__(
        self,
        application: Application,  # type: ignore[type-arg]
        *,
        poll_timeout: int = 25,
        max_attempts: int = 5,
        max_pause: float = 30.0,
        concurrency: int = 64,
    ) -> None:
        self._application = application
        self._poll_timeout = poll_timeout
        self._max_attempts = max_attempts
        self._max_pause = max_pause
        self._slots = asyncio.Semaphore(concurrency)
        self._failed: set[int] = set()
        self._attempts: dict[int, int] = defaultdict(int)
        self._handled: set[int] = set()
        self._deferred: set[int] = set()
        self.offset: int | None = None

    def record_failure(self, update: object) -> None:
        if isinstance(update, Update):
            self._failed.add(update.update_id)

    async def run(self, stop: asyncio.Event) -> None:
        pause = 0.0
        while not stop.is_set():
            if pause:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), pause)
                if stop.is_set():
                    break
            try:
                updates = await self._fetch(stop)
            except RetryAfter as error:
                pause = seconds_of(error.retry_after)
                continue
            except (NetworkError, TelegramError) as error:
                pause = min(self._max_pause, max(1.0, pause * 2))
                log.warning("getUpdates failed (%s); retry in %.0f s", type(error).__name__, pause)
                continue
            if updates is None:
                break
            handled = await self.handle_batch(updates)
            pause = 0.0 if handled else min(self._max_pause, max(1.0, pause * 2))

    async def handle_batch(self, updates: Iterable[Update]) -> bool:
        """Handle a batch and advance the offset; False when some update must be retried."""
        updates = list(updates)
        batch = [u for u in updates if u.update_id not in self._handled]
        self._failed.clear()
        self._deferred = set()
        await asyncio.gather(*(self._handle_chat(group) for group in _by_chat(batch)))
        pending = set(self._to_retry(batch)) | self._deferred
        if updates:
            self.offset = min(pending) if pending else max(u.update_id for u in updates) + 1
        handled = (self._handled | {u.update_id for u in batch}) - pending
        self._handled = {i for i in handled if self.offset is None or i >= self.offset}
        return not pending

    async def confirm(self) -> None:
        """Tell Telegram that everything up to the offset is handled (on shutdown)."""
        if self.offset is not None:
            with contextlib.suppress(TelegramError):
                await self._application.bot.get_updates(offset=self.offset, limit=1, timeout=0)

    async def _fetch(self, stop: asyncio.Event) -> list[Update] | None:
        request = asyncio.ensure_future(
            self._application.bot.get_updates(
                offset=self.offset, timeout=self._poll_timeout, allowed_updates=ALLOWED_UPDATES
            )
        )
        stopping = asyncio.ensure_future(stop.wait())
        done, _ = await asyncio.wait({request, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if request not in done:
            request.cancel()
            with contextlib.suppress(asyncio.CancelledError, TelegramError):
                await request
            return None
        stopping.cancel()
        return list(request.result())

    async def _handle_chat(self, updates: list[Update]) -> None:
        async with self._slots:
            for position, update in enumerate(updates):
                new_request()
                await self._application.process_update(update)
                if update.update_id in self._failed:
                    self._deferred.update(u.update_id for u in updates[position + 1 :])
                    return

    def _to_retry(self, batch: list[Update]) -> list[int]:
        retry = []
        for update_id in sorted(self._failed):
            self._attempts[update_id] += 1
            if self._attempts[update_id] < self._max_attempts:
                retry.append(update_id)
            else:
                log.error("update %d failed %d times; giving up", update_id, self._max_attempts)
                del self._attempts[update_id]
        for update in batch:
            if update.update_id not in self._failed:
                self._attempts.pop(update.update_id, None)
        return retry


def _by_chat(updates: list[Update]) -> list[list[Update]]:
    groups: dict[int, list[Update]] = defaultdict(list)
    for update in updates:
        chat = update.effective_chat
        groups[chat.id if chat else -update.update_id].append(update)
    return list(groups.values())
