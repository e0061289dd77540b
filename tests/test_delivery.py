"""The courier, over the unit of work (in memory and SQLite) and an in-process bot: each queued
file reaches its staff chat once, failures wait as Telegram asks, relays reach the complainant."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter

from bot.cases.vocabulary import DeliveryKind
from bot.chat.delivery import Courier
from bot.chat.wiper import CASE_MESSAGE_LIFETIME, Wiper
from storage.at_rest import PurposeSeal
from tests.e2e import CATALOGS
from tests.fake_bot import FakeBot
from tests.kit import KZ_CHAT, NOW, Clock, Coalitions, Units, coalitions, relay_seal

REF = "KZ-D3L1-VERY"
COMPLAINANT_CHAT = 8_120_554_317


class Post:
    def __init__(self, units: Units) -> None:
        self.units = units
        self.bot = FakeBot()
        self.clock = Clock()
        self.known: Coalitions = coalitions()
        self.relays: PurposeSeal = relay_seal()
        self.wiper = Wiper(self.bot.as_bot(), units, clock=self.clock)
        self.courier = Courier(
            self.bot.as_bot(), units, self.known.directory, CATALOGS, relays=self.relays,
            clock=self.clock, wiper=self.wiper,
        )  # fmt: skip

    def queue(self, number: int = 0, kind: str = DeliveryKind.FILE, **extra: object) -> None:
        with self.units() as unit:
            if not unit.cases.exists(REF):
                unit.cases.add(REF, "kz", "high", NOW.date(), b"the sealed case")
            if number > 0:
                unit.cases.add_sealed_file(REF, number, b"the sealed note")
            chat = 0 if kind == DeliveryKind.RELAY else KZ_CHAT
            payload = extra.get("payload")
            assert payload is None or isinstance(payload, bytes)
            unit.outbox.enqueue(REF, number, chat, self.clock(), kind=kind, payload=payload)
            unit.commit()


@pytest.fixture
def post(units: Units) -> Post:
    return Post(units)


async def test_a_new_case_reaches_its_staff_chat_once_with_its_card(post: Post) -> None:
    post.queue()
    assert await post.courier.deliver_due() == 1
    (sent,) = post.bot.sent
    assert (sent.chat_id, sent.file_name, sent.document) == (
        KZ_CHAT,
        f"{REF}.age",
        b"the sealed case",
    )
    assert f"New case {REF}" in sent.text
    assert "Urgency: high" in sent.text
    assert sent.markup is not None, "the card has its buttons"
    post.clock.advance(hours=1)
    assert await post.courier.deliver_due() == 0, "delivered is done, even after the lease"
    assert len(post.bot.sent) == 1


async def test_a_later_file_of_the_case_has_its_number_and_no_buttons(post: Post) -> None:
    post.queue(number=1)
    assert await post.courier.deliver_due() == 1
    (sent,) = post.bot.sent
    assert sent.file_name == f"{REF}-1.age"
    assert sent.document == b"the sealed note"
    assert f"New message for case {REF}" in sent.text
    assert sent.markup is None


async def test_a_rate_limit_waits_as_long_as_telegram_asks(post: Post) -> None:
    post.queue()
    post.bot.failures.append(RetryAfter(30))
    assert await post.courier.deliver_due() == 0
    post.clock.advance(seconds=29)
    assert await post.courier.deliver_due() == 0
    post.clock.advance(seconds=1)
    assert await post.courier.deliver_due() == 1
    assert len(post.bot.sent) == 1


@pytest.mark.parametrize("refusal", [Forbidden("bot was kicked"), BadRequest("chat not found")])
async def test_a_staff_chat_that_refuses_keeps_its_cases_queued(
    post: Post, refusal: Exception
) -> None:
    post.queue()
    post.bot.failures.append(refusal)  # type: ignore[arg-type]
    assert await post.courier.deliver_due() == 0
    post.clock.advance(minutes=9)
    assert await post.courier.deliver_due() == 0, "retried after ten minutes, not at once"
    post.clock.advance(minutes=1)
    assert await post.courier.deliver_due() == 1


async def test_network_errors_back_off_with_each_attempt(post: Post) -> None:
    post.queue()
    post.bot.failures += [NetworkError("down"), NetworkError("down")]
    assert await post.courier.deliver_due() == 0
    post.clock.advance(seconds=2)
    assert await post.courier.deliver_due() == 0, "first retry after 2 s"
    post.clock.advance(seconds=3)
    assert await post.courier.deliver_due() == 0, "the second waits 4 s"
    post.clock.advance(seconds=1)
    assert await post.courier.deliver_due() == 1


async def test_a_relay_reaches_the_complainant_protected_and_is_wiped_after_a_day(
    post: Post,
) -> None:
    message = {"chat_id": COMPLAINANT_CHAT, "html": "✉️ <b>KZ coalition</b>", "language": "en"}
    payload = post.relays.seal(REF, json.dumps(message).encode())
    post.queue(number=-1, kind=DeliveryKind.RELAY, payload=payload)
    assert await post.courier.deliver_due() == 1
    (sent,) = post.bot.sent
    assert (sent.chat_id, sent.text, sent.protect_content) == (
        COMPLAINANT_CHAT, "✉️ <b>KZ coalition</b>", True
    )  # fmt: skip
    assert sent.markup is not None, "with its Answer button"
    with post.units() as unit:
        # Stored to the hour, and due in the hour after: after 24 hours, within 25.
        coarse = CASE_MESSAGE_LIFETIME + dt.timedelta(hours=1)
        assert unit.wipes.due(NOW + coarse - dt.timedelta(seconds=1)) == []
        (wipe,) = unit.wipes.due(NOW + coarse)
    assert (wipe.chat_id, wipe.message_ids) == (COMPLAINANT_CHAT, [sent.message_id])


async def test_a_purge_warning_names_the_case_and_the_day(post: Post) -> None:
    with post.units() as unit:
        unit.cases.add(REF, "kz", "low", NOW.date(), b"sealed")
        unit.cases.set_status(REF, "closed", dt.date(2026, 9, 1))
        unit.commit()
    post.queue(number=-1, kind=DeliveryKind.PURGE_WARNING)
    assert await post.courier.deliver_due() == 1
    (sent,) = post.bot.sent
    assert sent.chat_id == KZ_CHAT
    assert sent.document is None
    assert f"Case {REF} was closed on 2026-09-01" in sent.text
    assert "on 2026-11-30 or later" in sent.text, "closed on + the coalition's 90 days"


async def test_a_file_larger_than_the_bot_api_takes_waits_and_says_why(
    post: Post, caplog: pytest.LogCaptureFixture
) -> None:
    """Telegram answers 413 to an upload over 50 MB (a limit raised without a self-hosted Bot
    API server): the case stays queued, paused like a refusal, and the log and status say why."""
    post.queue()
    post.bot.failures.append(NetworkError("Request Entity Too Large"))
    assert await post.courier.deliver_due() == 0
    with post.units() as unit:
        (state,) = unit.outbox.waiting()
    assert state.last_error == "too large"
    assert "CASE_FILES_LIMIT_MB" in caplog.text
    post.clock.advance(seconds=60)
    assert await post.courier.deliver_due() == 0, "not hammered every few seconds"
    post.clock.advance(minutes=10)
    assert await post.courier.deliver_due() == 1
