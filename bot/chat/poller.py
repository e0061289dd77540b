"""Long polling that confirms an update to Telegram only once it has been handled.

python-telegram-bot's Updater confirms a batch (by asking for the next offset) before its handlers
have run, so a crash loses those updates. Here polling is pipelined: each update is handed to its
chat's queue as soon as it arrives (a chat's updates one at a time and in order, chats
concurrently), and polling goes on while they are handled. The offset sent to Telegram stops at
the oldest update not yet finished, so a `kill -9` loses nothing; as Telegram then returns the
unfinished update and those after it again, ids already taken are remembered until confirmed and
not handled twice. An update whose handler failed is tried again after a pause, at most
`max_attempts` times, and its chat's later updates wait for it; the service's update-id claim
makes an update redelivered after a restart harmless.

One limit comes from Telegram: getUpdates returns at most 100 updates from the offset, so an
update unfinished for long (a failing one waiting for its retry) holds back every update but the
99 after it, until it is done or given up.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Hashable, Iterable

from telegram import Update
from telegram.error import NetworkError, RetryAfter, TelegramError

from bot.chat.context import BotApplication
from bot.chat.durations import seconds_of
from bot.logs import new_request

log = logging.getLogger(__name__)
ALLOWED_UPDATES = ["message", "callback_query"]
BATCH_LIMIT = 100  # the most updates one getUpdates returns
RECHECK_PER = 10  # a poll returning more updates than this waits longer to look again


class DurablePoller:
    def __init__(
        self,
        application: BotApplication,
        *,
        poll_timeout: int = 25,
        max_attempts: int = 5,
        max_pause: float = 30.0,
        concurrency: int = 64,
        recheck: float = 0.05,
    ) -> None:
        """`recheck`: while updates are unfinished, Telegram answers getUpdates at once (it
        returns them again), so poll again only when the oldest ones finish, or after `recheck`
        seconds to see new updates."""
        self._application = application
        self._poll_timeout = poll_timeout
        self._max_attempts = max_attempts
        self._max_pause = max_pause
        self._recheck = recheck
        self._slots = asyncio.Semaphore(concurrency)
        self._open: set[int] = set()  # taken, not finished: queued, being handled, or to retry
        self._finished: set[int] = set()  # finished, not yet confirmed to Telegram
        self._failed: set[int] = set()  # marked by the error handler while being handled
        self._highest: int | None = None
        self._chats: dict[Hashable, deque[Update]] = {}
        self._workers: set[asyncio.Task[None]] = set()
        self._progress = asyncio.Event()
        self._stop = asyncio.Event()

    @property
    def offset(self) -> int | None:
        """The next getUpdates offset: up to, not past, the oldest unfinished update."""
        if self._open:
            return min(self._open)
        return None if self._highest is None else self._highest + 1

    def record_failure(self, update: object) -> None:
        if isinstance(update, Update):
            self._failed.add(update.update_id)

    async def run(self, stop: asyncio.Event) -> None:
        """Poll and dispatch until `stop`; then finish the updates being handled."""
        self._stop = stop
        try:
            await self._poll(stop)
        finally:
            await asyncio.gather(*self._workers, return_exceptions=True)

    async def confirm(self) -> None:
        """Tell Telegram that everything up to the offset is handled (on shutdown)."""
        if self.offset is not None:
            with contextlib.suppress(TelegramError):
                await self._application.bot.get_updates(offset=self.offset, limit=1, timeout=0)

    async def _poll(self, stop: asyncio.Event) -> None:
        pause = 0.0
        while not stop.is_set():
            if pause and await _stopped_within(stop, pause):
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
            pause = 0.0
            fresh = self._dispatch(updates)
            if self._open and not (fresh and len(updates) >= BATCH_LIMIT):
                await self._until_progress(stop, len(updates))

    def _dispatch(self, updates: Iterable[Update]) -> bool:
        """Queue each update not taken yet behind its chat; True if any was new."""
        fresh = False
        for update in updates:
            update_id = update.update_id
            if update_id in self._open or update_id in self._finished:
                continue
            fresh = True
            self._open.add(update_id)
            self._highest = max(update_id, self._highest or update_id)
            chat = _chat_of(update)
            queue = self._chats.get(chat)
            if queue is None:
                queue = self._chats[chat] = deque()
                worker = asyncio.create_task(self._serve(chat, queue))
                self._workers.add(worker)
                worker.add_done_callback(self._workers.discard)
            queue.append(update)
        return fresh

    async def _fetch(self, stop: asyncio.Event) -> list[Update] | None:
        offset = self.offset
        if offset is not None:
            self._finished = {i for i in self._finished if i >= offset}
        timeout = 0 if self._open else self._poll_timeout
        request = asyncio.ensure_future(
            self._application.bot.get_updates(
                offset=offset, timeout=timeout, allowed_updates=ALLOWED_UPDATES
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

    async def _until_progress(self, stop: asyncio.Event, returned: int) -> None:
        """After a poll that returned `returned` updates, some still unfinished: wait until half
        of them can be confirmed, or for `stop`. As each poll costs the bot a decoding of all it
        returns, polling again to look for new updates waits longer the more it returns, and not
        at all when it returned Telegram's maximum (nothing new could come back)."""
        target = returned // 2
        timeout = None
        if returned < BATCH_LIMIT:
            timeout = self._recheck * max(1.0, returned / RECHECK_PER)
        waits = {
            asyncio.ensure_future(self._until_window(target)),
            asyncio.ensure_future(stop.wait()),
        }
        await asyncio.wait(waits, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        for wait in waits:
            wait.cancel()

    async def _until_window(self, size: int) -> None:
        while self._window() > size:
            self._progress.clear()
            await self._progress.wait()

    def _window(self) -> int:
        """How many updates getUpdates returns from the offset that are already taken."""
        if not self._open:
            return 0
        oldest = min(self._open)
        return len(self._open) + sum(1 for i in self._finished if i > oldest)

    async def _serve(self, chat: Hashable, queue: deque[Update]) -> None:
        """Handle a chat's updates in order until its queue is empty (or the poller stops)."""
        try:
            while queue and not self._stop.is_set():
                if not await self._handle(queue[0]):
                    return
                update_id = queue.popleft().update_id
                self._open.discard(update_id)
                self._finished.add(update_id)
                self._progress.set()
        finally:
            del self._chats[chat]

    async def _handle(self, update: Update) -> bool:
        """Handle an update, retrying failures; False if stopped before it was done."""
        attempt = 0
        while True:
            attempt += 1
            async with self._slots:
                if self._stop.is_set():
                    return False
                await self._process(update)
            if update.update_id not in self._failed:
                return True
            self._failed.discard(update.update_id)
            if attempt >= self._max_attempts:
                log.error("update %d failed %d times; giving up", update.update_id, attempt)
                return True
            if await _stopped_within(self._stop, min(self._max_pause, 2.0 ** (attempt - 1))):
                return False

    async def _process(self, update: Update) -> None:
        new_request()
        try:
            await self._application.process_update(update)
        except Exception:
            log.exception("update %d could not be processed", update.update_id)
            self._failed.add(update.update_id)


async def _stopped_within(stop: asyncio.Event, seconds: float) -> bool:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
    return stop.is_set()


def _chat_of(update: Update) -> Hashable:
    chat = update.effective_chat
    return ("chat", chat.id) if chat else ("update", update.update_id)
