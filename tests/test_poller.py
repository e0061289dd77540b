"""The durable poller confirms updates only once handled, retries failures, keeps chat order."""

from __future__ import annotations

import asyncio

from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters

from bot.chat.poller import DurablePoller
from tests.e2e import TOKEN
from tests.standin import BotApiStandIn


class Recorder:
    def __init__(self, fail_times: dict[str, int]) -> None:
        self.fail_times = fail_times
        self.seen: list[str] = []
        self.done: list[str] = []

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        text = update.effective_message.text or ""
        self.seen.append(text)
        if self.fail_times.get(text, 0) > 0:
            self.fail_times[text] -= 1
            raise RuntimeError("database is down")
        self.done.append(text)


async def run_poller(
    standin: BotApiStandIn, recorder: Recorder, **options: float
) -> tuple[asyncio.Event, asyncio.Task[None], Application]:  # type: ignore[type-arg]
    application = (
        Application.builder().token(TOKEN).base_url(f"{standin.url}/bot").updater(None).build()
    )
    application.add_handler(MessageHandler(filters.TEXT, recorder.on_text))
    poller = DurablePoller(application, poll_timeout=1, max_pause=0.2, **options)  # type: ignore[arg-type]

    async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        poller.record_failure(update)

    application.add_error_handler(on_error)
    await application.initialize()
    stop = asyncio.Event()
    return stop, asyncio.create_task(poller.run(stop)), application


async def finish(stop: asyncio.Event, task: asyncio.Task[None], application: Application) -> None:  # type: ignore[type-arg]
    stop.set()
    await task
    await application.shutdown()


async def test_a_failed_update_is_not_confirmed_and_is_retried(standin: BotApiStandIn) -> None:
    alice = standin.user(1, "Alice")
    recorder = Recorder({"first": 2})
    stop, task, app = await run_poller(standin, recorder)
    await alice.send_text("first")
    await standin.wait_for(lambda: recorder.done == ["first"], timeout=10)
    assert recorder.seen == ["first", "first", "first"]
    await alice.send_text("second")
    await standin.wait_for(lambda: recorder.done == ["first", "second"], timeout=10)
    await standin.wait_for(lambda: standin.unconfirmed_update_ids() == [], timeout=10)
    await finish(stop, task, app)


async def test_a_poison_update_is_given_up_and_does_not_block_others(
    standin: BotApiStandIn,
) -> None:
    alice, bob = standin.user(1, "Alice"), standin.user(2, "Bob")
    recorder = Recorder({"poison": 99})
    stop, task, app = await run_poller(standin, recorder, max_attempts=3)
    await alice.send_text("poison")
    await bob.send_text("fine")
    await standin.wait_for(lambda: "fine" in recorder.done, timeout=10)
    await standin.wait_for(lambda: standin.unconfirmed_update_ids() == [], timeout=10)
    assert recorder.seen.count("poison") == 3
    assert recorder.seen.count("fine") == 1, "an update handled once is not handled again"
    await finish(stop, task, app)


async def test_a_chat_keeps_its_order_when_one_of_its_updates_fails(
    standin: BotApiStandIn,
) -> None:
    alice = standin.user(1, "Alice")
    await alice.send_text("a1")
    await alice.send_text("a2")
    recorder = Recorder({"a1": 1})
    stop, task, app = await run_poller(standin, recorder)
    await standin.wait_for(lambda: recorder.done == ["a1", "a2"], timeout=10)
    assert recorder.seen == ["a1", "a1", "a2"], "a2 waits for a1 to succeed"
    await finish(stop, task, app)
