"""The courier: delivers sealed files from the outbox to the coalitions' staff chats.

At least once, and in practice exactly once: a file is marked delivered in the same breath as
Telegram accepts it, and claims expire, so a crash before sending means a later retry. The one
window for a duplicate is a crash after Telegram accepted the file but before the mark commits.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import html
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import IO

from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.cases.coalitions import Coalition, CoalitionDirectory
from bot.cases.ports import CaseUnitOfWork, Delivery, RelaySeal
from bot.cases.receipts import ReceiptSigner, receipt_name
from bot.cases.vocabulary import DeliveryKind
from bot.chat.case_buttons import answer_rows, card_rows, desk_link
from bot.chat.context import DatabaseCalls
from bot.chat.database_calls import in_a_thread
from bot.chat.durations import seconds_of
from bot.chat.screens import Row, Screen
from bot.chat.sealed_copies import copy_out
from bot.chat.senders import ComplainantSender, StaffSender
from bot.chat.wiper import CASE_MESSAGE_LIFETIME, Wiper
from bot.desk_web.init_data import mini_app_link
from bot.i18n import Catalogs

log = logging.getLogger(__name__)
REFUSED_PAUSE = dt.timedelta(minutes=10)
MAX_BACKOFF = dt.timedelta(minutes=10)
# What Telegram's Bot API answers (413) to an upload over its limit (50 MB for the cloud API).
_TOO_LARGE = "Request Entity Too Large"


def sealed_file_name(reference: str, number: int) -> str:
    return f"{reference}.age" if number == 0 else f"{reference}-{number}.age"


class Courier:
    def __init__(
        self,
        bot: Bot,
        units: Callable[[], CaseUnitOfWork],
        directory: CoalitionDirectory,
        catalogs: Catalogs,
        *,
        relays: RelaySeal,
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
        idle_seconds: float = 2.0,
        lease: dt.timedelta = dt.timedelta(seconds=60),
        wake: asyncio.Event | None = None,
        wiper: Wiper | None = None,
        receipts: ReceiptSigner | None = None,
        calls: DatabaseCalls = in_a_thread,
        mini_app: str | None = None,
        spool_folder: Path | None = None,
    ) -> None:
        self._bot = bot
        self._mini_app = mini_app
        self._spool_folder = spool_folder
        self._calls = calls
        self._wiper = wiper
        self._relays = relays
        self._receipts = receipts
        self._lease = lease
        self._staff = StaffSender(bot)
        self._complainants = ComplainantSender(bot)
        self._units = units
        self._directory = directory
        self._catalogs = catalogs
        self._clock = clock
        self._idle = idle_seconds
        self.wake = wake or asyncio.Event()

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.deliver_due()
            except Exception as error:  # the courier must outlive any single failure
                log.error("delivery round failed: %s", type(error).__name__)
            self.wake.clear()
            waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self.wake.wait())]
            await asyncio.wait(waiters, timeout=self._idle, return_when=asyncio.FIRST_COMPLETED)
            for waiter in waiters:
                waiter.cancel()

    async def deliver_due(self) -> int:
        delivered = 0
        while claimed := await self._calls(self._claim):
            for delivery in claimed:
                delivered += await self._deliver(delivery)
        return delivered

    def _claim(self) -> Sequence[Delivery]:
        with self._units() as unit:
            claimed = unit.outbox.claim_due(self._clock(), self._lease)
            unit.commit()
        return claimed

    async def _deliver(self, delivery: Delivery) -> int:
        if delivery.kind == DeliveryKind.PURGE_WARNING:
            return await self._send(
                delivery, self._staff.say_html(delivery.chat_id, self._warning(delivery))
            )
        if delivery.kind == DeliveryKind.RELAY:
            return await self._relay(delivery)
        sealed = await self._calls(self._sealed, delivery)
        if sealed is None:
            await self._calls(self._settle, delivery, None, "gone")
            return 0
        with sealed:
            name = sealed_file_name(delivery.reference, delivery.number)
            if self._receipts is not None and not await self._send_receipt(delivery, sealed, name):
                return 0
            card = self._staff.send_file_html(
                delivery.chat_id,
                sealed,
                name,
                self._card(delivery, name),
                self._card_rows(delivery),
                self._card_links(delivery),
            )
            return await self._send(delivery, card)

    async def _send_receipt(self, delivery: Delivery, sealed: IO[bytes], name: str) -> bool:
        """The signed receipt goes first: a retry may repeat it, never leave a case without it."""
        assert self._receipts is not None
        signature = await asyncio.to_thread(  # reads the file twice: not on the event loop
            self._receipts.sign, sealed, delivery.reference, name, delivery.received_on
        )
        sending = self._staff.send_file_html(delivery.chat_id, signature, receipt_name(name), "")
        return await self._send(delivery, sending, settle_on_success=False) == 1

    async def _relay(self, delivery: Delivery) -> int:
        """A coalition's message to a complainant who asked to be notified in their chat."""
        message = await self._calls(self._relay_message, delivery)
        if message is None:
            await self._calls(self._settle, delivery, None, "gone")
            return 0
        t = self._catalogs.translator(message["language"])
        chat_id = int(message["chat_id"])
        screen = Screen(message["html"], answer_rows(t, delivery.reference))
        return await self._send(
            delivery, self._complainants.send(chat_id, screen), complainant_chat=chat_id
        )

    def _relay_message(self, delivery: Delivery) -> dict[str, str] | None:
        if delivery.payload is None:
            return None
        # Opening needs only the server key, not a transaction (which on SQLite takes the lock).
        opened = self._relays.open(delivery.reference, delivery.payload)
        result: dict[str, str] = json.loads(opened)
        return result

    async def _send(
        self,
        delivery: Delivery,
        sending: Awaitable[object],
        *,
        complainant_chat: int | None = None,
        settle_on_success: bool = True,
    ) -> int:
        """Send through the audience's sender; settle the delivery by what Telegram answered."""
        target = complainant_chat if complainant_chat is not None else delivery.chat_id
        try:
            sent = await sending
            if complainant_chat is not None and self._wiper is not None:
                ids = sent if isinstance(sent, list) else []
                await self._wiper.schedule(target, ids, CASE_MESSAGE_LIFETIME)
        except RetryAfter as error:
            wait = seconds_of(error.retry_after)
            await self._calls(self._settle, delivery, dt.timedelta(seconds=wait), "429")
            return 0
        except Forbidden:
            log.warning(
                "%s refuses the bot; the %s for %s stays queued",
                "a complainant's chat" if complainant_chat is not None else f"staff chat {target}",
                delivery.kind,
                delivery.reference,
            )
            await self._calls(self._settle, delivery, REFUSED_PAUSE, "forbidden")
            return 0
        except BadRequest as error:
            log.warning(
                "%s: %s; the %s for %s stays queued",
                "a complainant's chat" if complainant_chat is not None else f"staff chat {target}",
                error.message,
                delivery.kind,
                delivery.reference,
            )
            await self._calls(self._settle, delivery, REFUSED_PAUSE, "bad request")
            return 0
        except NetworkError as error:
            if _TOO_LARGE in error.message:  # 413: more than this Bot API server takes
                log.error(
                    "the %s for %s is larger than the Bot API server takes; it stays queued. "
                    "CASE_FILES_LIMIT_MB above 45 needs a self-hosted Bot API server",
                    delivery.kind,
                    delivery.reference,
                )
                await self._calls(self._settle, delivery, REFUSED_PAUSE, "too large")
                return 0
            backoff = min(MAX_BACKOFF, dt.timedelta(seconds=2 ** min(delivery.attempts, 10)))
            await self._calls(self._settle, delivery, backoff, type(error).__name__)
            return 0
        except TelegramError as error:
            backoff = min(MAX_BACKOFF, dt.timedelta(seconds=2 ** min(delivery.attempts, 10)))
            await self._calls(self._settle, delivery, backoff, type(error).__name__)
            return 0
        if not settle_on_success:
            return 1
        await self._calls(self._settle, delivery, None, None)
        log.info("delivered a %s for %s to its staff chat", delivery.kind, delivery.reference)
        return 1

    def _card_rows(self, delivery: Delivery) -> list[Row]:
        """The case card's buttons go on the case itself, not on its later files."""
        if delivery.number != 0:
            return []
        coalition = self._coalition(delivery)
        t = self._catalogs.translator(coalition.language if coalition else "en")
        return card_rows(t, delivery.reference)

    def _card_links(self, delivery: Delivery) -> list[tuple[str, str]]:
        """With the desk Mini App set up, the case card links to the case in it."""
        if delivery.number != 0 or self._mini_app is None:
            return []
        coalition = self._coalition(delivery)
        t = self._catalogs.translator(coalition.language if coalition else "en")
        link = mini_app_link(self._bot.username, self._mini_app, delivery.reference)
        return [desk_link(t, link)]

    def _sealed(self, delivery: Delivery) -> IO[bytes] | None:
        return copy_out(self._units, delivery.reference, delivery.number, self._spool_folder)

    def _settle(self, delivery: Delivery, retry_in: dt.timedelta | None, error: str | None) -> None:
        now = self._clock()
        with self._units() as unit:
            if error is None:
                unit.outbox.delivered(delivery.id, now)
            else:
                unit.outbox.retry_later(delivery.id, now + (retry_in or dt.timedelta()), error)
            unit.commit()

    def _warning(self, delivery: Delivery) -> str:
        coalition = self._coalition(delivery)
        t = self._catalogs.translator(coalition.language if coalition else "en")
        closed = delivery.closed_on or delivery.received_on
        purge_on = closed + dt.timedelta(days=coalition.retention_days if coalition else 365)
        text = t.gettext(
            "Case {reference} was closed on {closed}. It will be deleted from the bot's server "
            "on {day} or later. Keep your own copy of {reference}.age if you still need it.",
            reference=delivery.reference,
            closed=closed.isoformat(),
            day=purge_on.isoformat(),
        )
        return "🗑 " + html.escape(text)

    def _coalition(self, delivery: Delivery) -> Coalition | None:
        return next(
            (c for c in self._directory.coalitions if c.staff_chat_id == delivery.chat_id), None
        )

    def _card(self, delivery: Delivery, name: str) -> str:
        coalition = self._coalition(delivery)
        t = self._catalogs.translator(coalition.language if coalition else "en")
        heading = (
            t.gettext("New case {reference}", reference=delivery.reference)
            if delivery.number == 0
            else t.gettext("New message for case {reference}", reference=delivery.reference)
        )
        level = {"high": t.gettext("high"), "medium": t.gettext("medium"), "low": t.gettext("low")}
        lines = [
            "📥 <b>" + html.escape(heading) + "</b>",
            html.escape(
                t.gettext("Urgency: {level}", level=level.get(delivery.urgency, delivery.urgency))
            ),
            html.escape(t.gettext("Received: {day}", day=delivery.received_on.isoformat())),
            html.escape(t.gettext("Open it on your own device:")),
            f"<code>complaint-bot desk open {html.escape(name)} --identity KEY</code>",
            f"<code>age -d -i KEY {html.escape(name)} &gt; case.zip</code>",
        ]
        return "\n".join(lines)
