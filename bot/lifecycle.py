"""The running bot's life: start when Telegram answers, poll durably, run the courier, the wiper
and housekeeping beside it, and stop cleanly on SIGINT/SIGTERM."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from wsgiref.simple_server import WSGIServer

from prometheus_client import start_http_server
from telegram import Update
from telegram.error import InvalidToken, NetworkError

from bot import metrics
from bot.app import Runtime
from bot.chat.context import BotApplication, Context
from bot.chat.limits import SendLimiter
from bot.chat.poller import DurablePoller
from bot.errors import TokenRejected
from bot.profile import describe_bot
from bot.shared_state import Replicas

log = logging.getLogger(__name__)


async def serve(runtime: Runtime, stop: asyncio.Event | None = None) -> None:
    """Run the bot until SIGINT/SIGTERM (or until `stop` is set)."""
    stop = stop or _stop_on_signals()
    runtime.directory  # noqa: B018 - a broken coalitions file stops the start, not a submission
    runtime.receipt_key  # noqa: B018 - so does an unreadable receipt signing key
    wake = asyncio.Event()
    # One process: Telegram's retry-after, group limit and window for answering a press.
    limiter = SendLimiter(
        None,
        on_retry_after=metrics.TOO_MANY.inc,
        on_retry=metrics.SEND_RETRIES.inc,
        chat_burst=runtime.settings.send_chat_burst,
    )
    application, wiper = runtime.build_application(on_sent=wake.set, rate_limiter=limiter)
    poller = DurablePoller(
        application,
        dead_letter=Replicas(runtime).dead_letters().put_aside,
        on_transient=metrics.TRANSIENT.labels("poller").inc,
    )

    async def on_error(update: object, context: Context) -> None:
        poller.record_failure(update, context.error)
        update_id = update.update_id if isinstance(update, Update) else None
        log.error("update %s failed: %s", update_id, type(context.error).__name__)

    application.add_error_handler(on_error)
    try:
        initialized = await _initialize(application, stop)
    except TokenRejected:
        await application.bot.shutdown()  # close the HTTP sessions the failed start opened
        runtime.database_worker.close()
        raise
    if not initialized:
        log.info("stopped before Telegram answered")
        await application.bot.shutdown()
        return
    metrics_server = _serve_metrics(runtime.settings.listen_host, runtime.settings.metrics_port)
    try:
        await describe_bot(application, runtime.catalogs, runtime.directory.coalitions)
        courier = runtime.courier(application.bot, wake, wiper)
        background = [
            asyncio.create_task(runtime.housekeeping.run(stop, runtime.database_worker)),
            asyncio.create_task(courier.run(stop)),
            asyncio.create_task(wiper.run(stop)),
            asyncio.create_task(_tidy_dead_letters(Replicas(runtime), stop)),
        ]
        log.info("bot started; polling for updates")
        await poller.run(stop)
        await poller.confirm()
        stop.set()
        await asyncio.gather(*background, return_exceptions=True)
    finally:
        if metrics_server is not None:
            metrics_server.shutdown()
            metrics_server.server_close()
        refused = runtime.casework.unaudited_refusals
        log.info("refusals to non-staff outside staff chats (not audited): %d", refused.total())
        await application.shutdown()
        runtime.database_worker.close()


def _serve_metrics(host: str, port: int | None) -> WSGIServer | None:
    """Polling mode's /metrics (the webhook front serves its own), on a thread of its own."""
    if port is None:
        return None
    server, _thread = start_http_server(port, host, registry=metrics.REGISTRY)
    log.info("metrics on http://%s:%d/metrics", host, port)
    return server


async def _initialize(application: BotApplication, stop: asyncio.Event) -> bool:
    """Wait for Telegram to answer; False if told to stop first. A rejected token stops the
    bot with TokenRejected, raised outside the library's exception so no traceback holds it."""
    pause = 1.0
    while True:
        try:
            await application.initialize()
            return True
        except InvalidToken:
            break
        except NetworkError as error:
            log.warning(
                "Telegram is not reachable (%s); retrying in %.0f s", type(error).__name__, pause
            )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), pause)
            if stop.is_set():
                return False
            pause = min(pause * 2, 30.0)
    raise TokenRejected


async def _tidy_dead_letters(replicas: Replicas, stop: asyncio.Event) -> None:
    """A dead letter's sealed update lives no longer than a draft (bot.chat.failures)."""
    while not stop.is_set():
        try:
            await asyncio.to_thread(replicas.tidy_dead_letters)
        except Exception as error:  # tidying must never stop the bot
            log.warning("dead letters not tidied: %s", type(error).__name__)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 300)


def _stop_on_signals() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    return stop
