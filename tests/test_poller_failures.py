"""Issue 10.6: the poller never confirms an update whose failure is transient; a deterministic
failure is put aside as a dead letter once it has had its tries."""

from __future__ import annotations

import asyncio

from sqlalchemy.exc import OperationalError
from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters

from bot.chat.poller import DurablePoller
from tests.e2e import TOKEN
from tests.standin import BotApiStandIn


class Flaky:
    def __init__(self, error: Exception, times: int) -> None:
        self.error, self.times, self.seen, self.done = error, times, 0, 0

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        self.seen += 1
        if self.seen <= self.times:
            raise self.error
        self.done += 1


async def poll(
    standin: BotApiStandIn, flaky: Flaky, put_aside: list[str]
) -> tuple[
    DurablePoller, asyncio.Event, asyncio.Task[None], Application  # type: ignore[type-arg]
]:
    application = (
        Application.builder().token(TOKEN).base_url(f"{standin.url}/bot").updater(None).build()
    )
    application.add_handler(MessageHandler(filters.TEXT, flaky.on_text))

    async def dead_letter(update: Update, error: BaseException | None) -> None:
        put_aside.append(type(error).__name__)

    poller = DurablePoller(
        application,
        poll_timeout=1,
        max_pause=0.05,
        max_attempts=3,
        dead_letter=dead_letter,
    )

    async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        poller.record_failure(update, context.error)

    application.add_error_handler(on_error)
    await application.initialize()
    stop = asyncio.Event()
    return poller, stop, asyncio.create_task(poller.run(stop)), application


async def test_a_transient_failure_is_retried_past_max_attempts_and_never_confirmed(
    standin: BotApiStandIn,
) -> None:
    flaky = Flaky(OperationalError("INSERT", {}, ConnectionRefusedError()), times=12)
    put_aside: list[str] = []
    _poller, stop, task, application = await poll(standin, flaky, put_aside)
    await standin.user(1, "Alice").send_text("my answer")
    await standin.wait_for(lambda: flaky.seen >= 6, timeout=20)
    assert standin.unconfirmed_update_ids() != [], "still pending at Telegram"
    await standin.wait_for(lambda: flaky.done == 1, timeout=30)
    await standin.wait_for(lambda: standin.unconfirmed_update_ids() == [], timeout=10)
    assert put_aside == [], "a transient failure is never put aside"
    stop.set()
    await task
    await application.shutdown()


async def test_a_deterministic_failure_becomes_a_dead_letter_after_its_tries(
    standin: BotApiStandIn,
) -> None:
    flaky = Flaky(KeyError("bug"), times=99)
    put_aside: list[str] = []
    _poller, stop, task, application = await poll(standin, flaky, put_aside)
    await standin.user(1, "Alice").send_text("my answer")
    await standin.wait_for(lambda: put_aside == ["KeyError"], timeout=20)
    await standin.wait_for(lambda: standin.unconfirmed_update_ids() == [], timeout=10)
    assert flaky.seen == 3
    stop.set()
    await task
    await application.shutdown()
