"""Long polling that confirms an update to Telegram only once it has been handled.

python-telegram-bot's Updater confirms a batch (by asking for the next offset) before its handlers
have run, so a crash loses those updates. Here polling is pipelined: each update is handed to its
chat's queue as soon as it arrives (a chat's updates one at a time and in order, chats
concurrently), and polling goes on while they are handled. The offset sent to Telegram stops at
the oldest update not yet finished, so a `kill -9` loses nothing; as Telegram then returns the
unfinished update and those after it again, ids already taken are remembered until confirmed and
not handled twice (nor even decoded into `Update` objects). Receiving them again costs the bot
CPU, so while updates are in hand the poller polls again only once most of what it would get
back is new (see `_until_worth_polling`): under load each update is received about once. An
update whose handler failed is tried again after a pause, at most
`max_attempts` times, and its chat's later updates wait for it; the service's update-id claim
makes an update redelivered after a restart harmless.

One limit comes from Telegram: getUpdates returns at most 100 updates from the offset, so an
update unfinished for long (a failing one waiting for its retry) holds back every update but the
99 after it, until it is done or given up.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import deque
from collections.abc import Hashable, Iterable
from typing import Any
from urllib.parse import urlencode

from telegram import Update
from telegram.error import NetworkError, RetryAfter, TelegramError

from bot.chat.context import BotApplication
from bot.chat.durations import seconds_of
from bot.logs import new_request

log = logging.getLogger(__name__)
ALLOWED_UPDATES = ["message", "callback_query"]
ALLOWED_JSON = json.dumps(ALLOWED_UPDATES)
JSONDict = dict[str, Any]
BATCH_LIMIT = 100  # the most updates one getUpdates returns
RECHECK_PER = 10  # a poll returning more updates than this waits longer to look again
# Poll again once the updates Telegram would return a second time are at most one in this many
# of those finished since the last poll: each update is then received about 1.1 times at most.
REPOLL_SHARE = 10


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
        self._finished_total = 0  # updates finished since the start
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
                fetched = await self._fetch(stop)
            except RetryAfter as error:
                pause = seconds_of(error.retry_after)
                continue
            except (NetworkError, TelegramError) as error:
                pause = min(self._max_pause, max(1.0, pause * 2))
                log.warning("getUpdates failed (%s); retry in %.0f s", type(error).__name__, pause)
                continue
            if fetched is None:
                break
            pause = 0.0
            returned, fresh = fetched
            finished_then = self._finished_total
            self._dispatch(fresh)
            if self._open:
                await self._until_worth_polling(stop, returned, finished_then)

    def taken(self, update_id: int) -> bool:
        """True for an update this poller has already taken (it will not be handled again)."""
        return update_id in self._open or update_id in self._finished

    def _dispatch(self, updates: Iterable[Update]) -> None:
        """Queue each update not taken yet behind its chat."""
        for update in updates:
            update_id = update.update_id
            if self.taken(update_id):
                continue
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

    async def _fetch(self, stop: asyncio.Event) -> tuple[int, list[Update]] | None:
        """Poll once: how many updates Telegram returned, and those not taken yet, as Update
        objects (building one costs far more than reading its id, and most returned under
        load are already in hand)."""
        offset = self.offset
        if offset is not None:
            self._finished = {i for i in self._finished if i >= offset}
        timeout = 0 if self._open else self._poll_timeout
        request = asyncio.ensure_future(self._get_updates(offset, timeout))
        stopping = asyncio.ensure_future(stop.wait())
        done, _ = await asyncio.wait({request, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if request not in done:
            request.cancel()
            with contextlib.suppress(asyncio.CancelledError, TelegramError):
                await request
            return None
        stopping.cancel()
        returned = request.result()
        bot = self._application.bot
        fresh = [
            Update.de_json(data, bot) for data in returned if not self.taken(data["update_id"])
        ]
        return len(returned), fresh

    async def _get_updates(self, offset: int | None, wait: int) -> list[JSONDict]:
        """getUpdates through the bot's request object, as JSON (parameters in the query)."""
        bot = self._application.bot
        parameters: dict[str, str | int] = {"timeout": wait, "allowed_updates": ALLOWED_JSON}
        if offset is not None:
            parameters["offset"] = offset
        read_timeout = (bot.request.read_timeout or 0) + wait
        url = f"{bot.base_url}/getUpdates?{urlencode(parameters)}"
        result = await bot.request.post(url, None, read_timeout=read_timeout)
        if not isinstance(result, list):
            raise TelegramError("getUpdates returned no list")
        return result

    async def _until_worth_polling(
        self, stop: asyncio.Event, returned: int, finished_then: int
    ) -> None:
        """After a poll that returned `returned` updates, some still unfinished: wait until a
        new poll would return mostly new updates, or for `stop`.

        Telegram returns every update from the oldest unfinished one again, and the bot decodes
        each, so poll again only once the updates it would return again (the window) are at most
        one in REPOLL_SHARE of those finished since the last poll. At a human pace that is when
        the few in hand are done; under load, when most of a batch is. So that an update in hand
        for long (a slow send, a retried failure) does not hide new ones, look anyway after
        `recheck` seconds, longer the more the last poll returned, and never after a poll that
        returned Telegram's maximum, as nothing new could come back."""
        timeout = None
        if returned < BATCH_LIMIT:
            timeout = self._recheck * max(1.0, returned / RECHECK_PER)
        waits = {
            asyncio.ensure_future(self._until_window(finished_then)),
            asyncio.ensure_future(stop.wait()),
        }
        await asyncio.wait(waits, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        for wait in waits:
            wait.cancel()

    async def _until_window(self, finished_then: int) -> None:
        while self._window() * REPOLL_SHARE > self._finished_total - finished_then:
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
                self._finished_total += 1
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
