"""Deleting the conversation's messages from the complainant's chat, with durable retries.

A bot may delete messages in a private chat (its own and the user's) for 48 hours. A deletion
that fails is kept (sealed at rest) and retried until it succeeds or that window closes. Its
stored times are to the hour; the backoff between tries is held in memory only, so no stored
time says to the second when a deletion failed (a restart simply tries again at once).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Callable, Iterable, Sequence

from telegram import Bot
from telegram.error import TelegramError

from bot.chat.context import DatabaseCalls
from bot.chat.database_calls import in_a_thread
from bot.chat.ports import PendingWipe, WipeUnitOfWork

log = logging.getLogger(__name__)
TELEGRAM_DELETE_WINDOW = dt.timedelta(hours=48)
# Messages about a case that reach a complainant's chat (the coalition's words, /check results)
# are deleted after this long: a phone searched later shows nothing.
CASE_MESSAGE_LIFETIME = dt.timedelta(hours=24)
BATCH = 100
BATCH_OF_WIPES = 20


class Wiper:
    def __init__(
        self,
        bot: Bot,
        units: Callable[[], WipeUnitOfWork],
        *,
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
        idle_seconds: float = 5.0,
        calls: DatabaseCalls = in_a_thread,
    ) -> None:
        self._calls = calls
        self._bot = bot
        self._units = units
        self._clock = clock
        self._idle = idle_seconds
        self._not_before: dict[int, dt.datetime] = {}

    async def wipe(self, chat_id: int, message_ids: Iterable[int]) -> bool:
        ids = sorted({i for i in message_ids if i > 0})
        if not ids:
            return True
        if await self._delete(chat_id, ids):
            return True
        log.warning("could not delete %d chat messages; will retry", len(ids))
        await self._calls(self._remember, chat_id, ids)
        return False

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                for pending in await self._calls(self._due):
                    ok = await self._delete(pending.chat_id, pending.message_ids)
                    await self._calls(self._settle, pending, ok)
            except Exception as error:  # the wiper must outlive any single failure
                log.error("wipe round failed: %s", type(error).__name__)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self._idle)

    async def _delete(self, chat_id: int, ids: list[int]) -> bool:
        try:
            for start in range(0, len(ids), BATCH):
                await self._bot.delete_messages(chat_id, ids[start : start + BATCH])
        except TelegramError:
            return False
        return True

    async def schedule(self, chat_id: int, message_ids: Iterable[int], after: dt.timedelta) -> None:
        """Delete these messages later (durably), while Telegram still allows it."""
        ids = sorted(set(message_ids))
        if ids:
            await self._calls(self._remember, chat_id, ids, after)

    def _remember(self, chat_id: int, ids: list[int], after: dt.timedelta | None = None) -> None:
        """Stored with its times to the hour (due: the hour after; give up: an hour early), so
        a wipe scheduled or failed at sending does not date the case to the second."""
        hour = _to_the_hour(self._clock())
        with self._units() as unit:
            due = _to_the_hour(hour + after) + dt.timedelta(hours=1) if after else hour
            unit.wipes.add(chat_id, ids, hour, hour + TELEGRAM_DELETE_WINDOW, due)
            unit.commit()

    def _due(self) -> Sequence[PendingWipe]:
        now = self._clock()
        with self._units() as unit:
            due = unit.wipes.due(now, limit=BATCH_OF_WIPES + len(self._not_before))
            unit.commit()
        return [w for w in due if self._not_before.get(w.id, now) <= now][:BATCH_OF_WIPES]

    def _settle(self, pending: PendingWipe, deleted: bool) -> None:
        with self._units() as unit:
            if deleted:
                unit.wipes.done(pending.id)
                self._not_before.pop(pending.id, None)
            else:
                now = self._clock()
                backoff = dt.timedelta(seconds=min(600, 2 ** min(pending.attempts + 1, 10)))
                unit.wipes.retry(pending.id, _to_the_hour(now))
                self._not_before[pending.id] = now + backoff
            unit.commit()


def _to_the_hour(moment: dt.datetime) -> dt.datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def conversation(
    first_message_id: int | None, last_message_id: int, *, lookback: int = 200
) -> range:
    """Every message id of a private conversation, from its /start to the given last one."""
    start = first_message_id if first_message_id else max(1, last_message_id - lookback)
    return range(start, last_message_id + 1)
