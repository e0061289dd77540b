"""Webhook mode: the ASGI front under uvicorn, and the periodic jobs on one leader.

Every replica answers webhook calls. The jobs that must run once (housekeeping, the courier, the
wiper, dead-letter tidying, the getWebhookInfo poll, the bot's menus) run only on the leader,
chosen through the database (storage.coordination): a PostgreSQL advisory lock on a connection
of its own by default, a lease row with LEADER_ELECTION=lease. Leadership is checked every
`check_seconds`; a replica that loses it stops its jobs, and a killed leader's lock goes with its
connection, so another replica takes the jobs over within one check.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Callable, Coroutine
from typing import Any, Protocol
from urllib.parse import urlparse

import uvicorn
from starlette.routing import BaseRoute
from telegram import Bot
from telegram.error import TelegramError

from bot import metrics
from bot.app import Runtime
from bot.chat.sealed_copies import copy_out
from bot.desk_web.mini_app import MiniAppRoutes
from bot.lifecycle import _initialize, _stop_on_signals
from bot.profile import describe_bot
from bot.shared_state import Replicas
from bot.webhook import WebhookFront

log = logging.getLogger(__name__)
CHECK_SECONDS = 5.0
WEBHOOK_INFO_EVERY = 60.0
GAUGES_EVERY = 30.0
DEAD_LETTERS_EVERY = 300.0

Jobs = Callable[[asyncio.Event], list[Coroutine[Any, Any, None]]]


class Leadership(Protocol):
    def try_lead(self) -> bool: ...

    def resign(self) -> None: ...


class LeaderJobs:
    """Runs `jobs` while this replica leads."""

    def __init__(self, leadership: Leadership | None, check_seconds: float = CHECK_SECONDS):
        self._leadership = leadership
        self._check = check_seconds
        self.leading = False

    async def run(self, stop: asyncio.Event, jobs: Jobs) -> None:
        running: list[asyncio.Task[None]] = []
        stop_jobs = asyncio.Event()
        try:
            while not stop.is_set():
                leading = await self._try_lead()
                if leading and not running:
                    log.info("this replica now runs the periodic jobs")
                    stop_jobs = asyncio.Event()
                    running = [asyncio.create_task(job) for job in jobs(stop_jobs)]
                elif not leading and running:
                    log.warning("this replica no longer leads; stopping its periodic jobs")
                    await _finish(stop_jobs, running)
                    running = []
                self.leading = leading
                metrics.LEADER.set(1 if leading else 0)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self._check)
        finally:
            await _finish(stop_jobs, running)
            metrics.LEADER.set(0)
            if self._leadership is not None:
                with contextlib.suppress(Exception):
                    await asyncio.to_thread(self._leadership.resign)

    async def _try_lead(self) -> bool:
        if self._leadership is None:
            return True
        try:
            return await asyncio.to_thread(self._leadership.try_lead)
        except Exception as error:  # the database is away: lead nothing until it is back
            log.warning("leader check failed: %s", type(error).__name__)
            return False


async def _finish(stop_jobs: asyncio.Event, running: list[asyncio.Task[None]]) -> None:
    stop_jobs.set()
    await asyncio.gather(*running, return_exceptions=True)


async def _every(stop: asyncio.Event, seconds: float, step: Callable[[], Any]) -> None:
    while not stop.is_set():
        try:
            result = step()
            if asyncio.iscoroutine(result):
                await result
        except Exception as error:  # a periodic job must outlive any single failure
            log.warning("periodic job failed: %s", type(error).__name__)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), seconds)


async def poll_webhook_info(bot: Bot) -> None:
    try:
        info = await bot.get_webhook_info()
    except TelegramError as error:
        log.warning("getWebhookInfo failed: %s", type(error).__name__)
        return
    metrics.WEBHOOK_PENDING.set(info.pending_update_count)
    last = info.last_error_date
    metrics.WEBHOOK_LAST_ERROR.set(last.timestamp() if isinstance(last, dt.datetime) else 0)


class _Server(uvicorn.Server):
    """uvicorn without its own signal handling: the bot's stop event ends it."""

    @contextlib.contextmanager
    def capture_signals(self):  # type: ignore[no-untyped-def]
        yield


def mini_app_routes(runtime: Runtime) -> list[BaseRoute]:
    """The desk Mini App's page and sealed-file route, when MINI_APP_NAME is set."""
    if runtime.settings.mini_app_name is None:
        return []
    return MiniAppRoutes(
        runtime.settings.require_token(),
        runtime.casework.sealed_files,
        runtime.pseudonym_of,
        runtime.receipt_key,
        runtime.database_worker,
        lambda reference, number: copy_out(
            runtime.unit_of_work, reference, number, runtime.spool_folder
        ),
    ).routes()


def webhook_path(url: str) -> str:
    return urlparse(url).path or "/"


async def serve_webhook(runtime: Runtime, stop: asyncio.Event | None = None) -> None:
    """Answer webhook calls on LISTEN_HOST:LISTEN_PORT until SIGINT/SIGTERM (or `stop`)."""
    settings = runtime.settings
    url, secret = settings.require_webhook()
    replicas = Replicas(runtime)
    replicas.claim_sqlite()
    stop = stop or _stop_on_signals()
    runtime.directory  # noqa: B018 - a broken coalitions file stops the start
    wake = asyncio.Event()
    application, wiper = runtime.build_application(
        on_sent=wake.set, rate_limiter=replicas.send_limiter()
    )
    front = WebhookFront(
        application,
        secret,
        replicas.dead_letters(),
        path=webhook_path(url),
        ready=replicas.ready,
        chat_lock=replicas.chat_lock(),
        chat_mutex=replicas.chat_mutex(),
        routes=mini_app_routes(runtime),
    )
    application.add_error_handler(front.on_error)
    if not await _initialize(application, stop):
        replicas.release()
        return

    def jobs(stop_jobs: asyncio.Event) -> list[Coroutine[Any, Any, None]]:
        courier = runtime.courier(application.bot, wake, wiper)
        return [
            describe_bot(application, runtime.catalogs, runtime.directory.coalitions),
            runtime.housekeeping.run(stop_jobs, runtime.database_worker),
            courier.run(stop_jobs),
            wiper.run(stop_jobs),
            _every(
                stop_jobs, DEAD_LETTERS_EVERY, lambda: asyncio.to_thread(replicas.tidy_dead_letters)
            ),
            _every(stop_jobs, WEBHOOK_INFO_EVERY, lambda: poll_webhook_info(application.bot)),
        ]

    async def gauges() -> None:
        waiting, oldest = await asyncio.to_thread(replicas.outbox_depth)
        metrics.OUTBOX_WAITING.set(waiting)
        metrics.OUTBOX_OLDEST.set(oldest)

    config = uvicorn.Config(
        front.asgi(),
        host=settings.listen_host,
        port=settings.listen_port,
        log_config=None,
        access_log=False,
        lifespan="off",
        timeout_graceful_shutdown=30,
        server_header=False,
    )
    server = _Server(config)
    leader = LeaderJobs(replicas.leadership())
    try:
        background = [
            asyncio.create_task(leader.run(stop, jobs)),
            asyncio.create_task(_every(stop, GAUGES_EVERY, gauges)),
        ]
        serving = asyncio.create_task(server.serve())
        log.info("webhook front listening on %s:%d", settings.listen_host, settings.listen_port)
        stopping = asyncio.create_task(stop.wait())
        await asyncio.wait({serving, stopping}, return_when=asyncio.FIRST_COMPLETED)
        server.should_exit = True
        await serving
        stop.set()
        await asyncio.gather(*background, return_exceptions=True)
        if serving.exception() is None and not server.started:
            raise OSError(f"could not listen on {settings.listen_host}:{settings.listen_port}")
    finally:
        await application.shutdown()
        runtime.database_worker.close()
        replicas.release()
