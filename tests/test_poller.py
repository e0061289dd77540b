"""The durable poller confirms updates only once handled, retries failures, keeps chat order,
and keeps polling while updates are being handled."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters

from bot.chat.context import BotApplication
from bot.chat.poller import DurablePoller
from tests.e2e import TOKEN
from tests.standin import BotApiStandIn


class Recorder:
    """Records each text it handles; fails some a number of times; holds "slow …" texts until
    `release` is set."""

    def __init__(self, fail_times: dict[str, int]) -> None:
        self.fail_times = fail_times
        self.seen: list[str] = []
        self.done: list[str] = []
        self.release = asyncio.Event()

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        text = update.effective_message.text or ""
        self.seen.append(text)
        if self.fail_times.get(text, 0) > 0:
            self.fail_times[text] -= 1
            raise RuntimeError("database is down")
        if text.startswith("slow"):
            await self.release.wait()
        self.done.append(text)


@dataclass
class Running:
    poller: DurablePoller
    stop: asyncio.Event
    task: asyncio.Task[None]
    application: BotApplication


async def run_poller(standin: BotApiStandIn, recorder: Recorder, **options: float) -> Running:
    application: BotApplication = (
        Application.builder().token(TOKEN).base_url(f"{standin.url}/bot").updater(None).build()
    )
    application.add_handler(MessageHandler(filters.TEXT, recorder.on_text))
    poller = DurablePoller(application, poll_timeout=1, max_pause=0.2, **options)  # type: ignore[arg-type]

    async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        poller.record_failure(update)

    application.add_error_handler(on_error)
    await application.initialize()
    stop = asyncio.Event()
    return Running(poller, stop, asyncio.create_task(poller.run(stop)), application)


async def finish(running: Running) -> None:
    running.stop.set()
    await running.task
    await running.application.shutdown()


async def send(standin: BotApiStandIn, user_id: int, text: str) -> int:
    """Send a text as this user; return its update id."""
    await standin.user(user_id, f"User {user_id}").send_text(text)
    return standin.unconfirmed_update_ids()[-1]


def offsets_sent(standin: BotApiStandIn, since: int = 0) -> list[int]:
    calls = standin.calls_of("getUpdates")[since:]
    return [int(call.params.get("offset", 0)) for call in calls]


async def test_a_failed_update_is_not_confirmed_and_is_retried(standin: BotApiStandIn) -> None:
    alice = standin.user(1, "Alice")
    recorder = Recorder({"first": 2})
    running = await run_poller(standin, recorder)
    await alice.send_text("first")
    await standin.wait_for(lambda: recorder.done == ["first"], timeout=10)
    assert recorder.seen == ["first", "first", "first"]
    await alice.send_text("second")
    await standin.wait_for(lambda: recorder.done == ["first", "second"], timeout=10)
    await standin.wait_for(lambda: standin.unconfirmed_update_ids() == [], timeout=10)
    await finish(running)


async def test_a_poison_update_is_given_up_and_does_not_block_others(
    standin: BotApiStandIn,
) -> None:
    alice, bob = standin.user(1, "Alice"), standin.user(2, "Bob")
    recorder = Recorder({"poison": 99})
    running = await run_poller(standin, recorder, max_attempts=3)
    await alice.send_text("poison")
    await bob.send_text("fine")
    await standin.wait_for(lambda: "fine" in recorder.done, timeout=10)
    await standin.wait_for(lambda: standin.unconfirmed_update_ids() == [], timeout=10)
    assert recorder.seen.count("poison") == 3
    assert recorder.seen.count("fine") == 1, "an update handled once is not handled again"
    await finish(running)


async def test_a_chat_keeps_its_order_when_one_of_its_updates_fails(
    standin: BotApiStandIn,
) -> None:
    alice = standin.user(1, "Alice")
    await alice.send_text("a1")
    await alice.send_text("a2")
    recorder = Recorder({"a1": 1})
    running = await run_poller(standin, recorder)
    await standin.wait_for(lambda: recorder.done == ["a1", "a2"], timeout=10)
    assert recorder.seen == ["a1", "a1", "a2"], "a2 waits for a1 to succeed"
    await finish(running)


async def test_a_slow_update_holds_back_neither_other_chats_nor_the_polling(
    standin: BotApiStandIn,
) -> None:
    recorder = Recorder({})
    running = await run_poller(standin, recorder)
    slow = await send(standin, 1, "slow a1")
    await standin.wait_for(lambda: recorder.seen == ["slow a1"], timeout=10)
    polls_before = len(standin.calls_of("getUpdates"))
    await send(standin, 1, "a2")
    await send(standin, 2, "b1")
    await standin.wait_for(lambda: recorder.done == ["b1"], timeout=10)
    assert recorder.seen == ["slow a1", "b1"], "a2 waits for a1; b1, sent later, does not"

    # Telegram keeps returning a1 and everything after it; nothing is handled twice.
    await standin.wait_for(lambda: len(standin.calls_of("getUpdates")) > polls_before + 3)
    assert recorder.seen == ["slow a1", "b1"]
    assert all(offset <= slow for offset in offsets_sent(standin, polls_before))
    assert slow in standin.unconfirmed_update_ids(), "a1 is not confirmed before it is done"

    recorder.release.set()
    await standin.wait_for(lambda: recorder.done == ["b1", "slow a1", "a2"], timeout=10)
    await standin.wait_for(lambda: standin.unconfirmed_update_ids() == [], timeout=10)
    assert recorder.seen.count("b1") == 1
    await finish(running)


async def test_the_offset_never_passes_an_unfinished_update(standin: BotApiStandIn) -> None:
    recorder = Recorder({"b1": 1})
    running = await run_poller(standin, recorder)
    first = await send(standin, 1, "a1")
    await standin.wait_for(lambda: recorder.done == ["a1"], timeout=10)
    slow = await send(standin, 2, "slow b0")
    await standin.wait_for(lambda: "slow b0" in recorder.seen, timeout=10)
    polls_before = len(standin.calls_of("getUpdates"))
    await send(standin, 3, "c1")
    await send(standin, 1, "a2")
    await standin.wait_for(lambda: recorder.done == ["a1", "c1", "a2"], timeout=10)
    await standin.wait_for(lambda: len(standin.calls_of("getUpdates")) > polls_before + 3)
    assert first not in standin.unconfirmed_update_ids(), "a1 was done before b0 came"
    assert all(offset <= slow for offset in offsets_sent(standin, polls_before))

    recorder.release.set()
    await standin.wait_for(lambda: standin.unconfirmed_update_ids() == [], timeout=10)
    assert offsets_sent(standin) == sorted(offsets_sent(standin)), "the offset only moves on"
    await finish(running)


async def test_an_update_failing_while_others_arrive_is_retried_and_confirmed_last(
    standin: BotApiStandIn,
) -> None:
    recorder = Recorder({"a1": 3})
    running = await run_poller(standin, recorder, max_attempts=5)
    failing = await send(standin, 1, "a1")
    await standin.wait_for(lambda: "a1" in recorder.seen, timeout=10)
    await send(standin, 2, "b1")
    await send(standin, 1, "a2")
    await standin.wait_for(lambda: recorder.seen.count("a1") >= 2 and "b1" in recorder.done)
    assert "a1" not in recorder.done
    assert all(offset <= failing for offset in offsets_sent(standin))
    assert failing in standin.unconfirmed_update_ids()

    await standin.wait_for(lambda: recorder.done == ["b1", "a1", "a2"], timeout=10)
    assert recorder.seen == ["a1", "b1", "a1", "a1", "a1", "a2"], "a2 waits for a1's retries"
    await standin.wait_for(lambda: standin.unconfirmed_update_ids() == [], timeout=10)
    await finish(running)


async def test_stopping_finishes_the_update_in_hand_and_leaves_the_rest_to_telegram(
    standin: BotApiStandIn,
) -> None:
    recorder = Recorder({})
    running = await run_poller(standin, recorder)
    await send(standin, 1, "slow a1")
    queued = await send(standin, 1, "a2")
    await standin.wait_for(lambda: recorder.seen == ["slow a1"], timeout=10)
    await standin.wait_for(lambda: len(standin.calls_of("getUpdates")) > 3)
    running.stop.set()
    recorder.release.set()
    await running.task
    await running.poller.confirm()
    assert recorder.done == ["slow a1"]
    assert standin.unconfirmed_update_ids() == [queued], "a2 comes again after a restart"
    await running.application.shutdown()


async def test_polling_waits_for_progress_instead_of_spinning(standin: BotApiStandIn) -> None:
    recorder = Recorder({})
    running = await run_poller(standin, recorder, recheck=0.1)
    await send(standin, 1, "slow a1")
    await standin.wait_for(lambda: recorder.seen == ["slow a1"], timeout=10)
    polls_before = len(standin.calls_of("getUpdates"))
    await asyncio.sleep(0.5)
    polls = len(standin.calls_of("getUpdates")) - polls_before
    assert 1 <= polls <= 15, f"{polls} polls in 0.5 s with one update in hand"
    recorder.release.set()
    await standin.wait_for(lambda: standin.unconfirmed_update_ids() == [], timeout=10)
    await finish(running)


async def test_with_a_full_batch_in_hand_polling_waits_for_half_of_it(
    standin: BotApiStandIn,
) -> None:
    recorder = Recorder({})
    running = await run_poller(standin, recorder, concurrency=200, recheck=0.01)
    for user in range(1, 102):
        await send(standin, user, f"slow {user}")
    await standin.wait_for(lambda: len(recorder.seen) == 100, timeout=10)
    polls_before = len(standin.calls_of("getUpdates"))
    await asyncio.sleep(0.5)
    assert len(standin.calls_of("getUpdates")) - polls_before <= 1, "nothing new can come back"
    assert "slow 101" not in recorder.seen, "Telegram returns 100 updates at most"
    recorder.release.set()
    await standin.wait_for(lambda: len(recorder.done) == 101, timeout=10)
    await standin.wait_for(lambda: standin.unconfirmed_update_ids() == [], timeout=10)
    assert recorder.done[-1] == "slow 101"
    await finish(running)
