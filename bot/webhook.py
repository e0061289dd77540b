"""The webhook front: Telegram POSTs each update here; the answer says whether it is handled.

- `X-Telegram-Bot-Api-Secret-Token` must match (compared in constant time), else 403 and the
  update is not even read.
- A request body over `MAX_UPDATE_BYTES` is refused (413) before it is parsed.
- 200 only after the update's handling has finished, which for every update that changes
  anything means its transaction has committed: a crash before that makes Telegram redeliver.
- A transient failure (database unreachable, lock timeout, network) answers 503, so Telegram
  tries again later; a deterministic one puts the update aside, sealed, as a dead letter and
  answers 200, so one bad update cannot block its chat for Telegram's day of retries. A call
  Telegram refused (bot.chat.failures: refused) is answered 200 and counted.
- One chat's updates are handled one at a time in this process; across replicas, by the chat's
  advisory lock that the update-id claim takes in the update's transaction, and (PostgreSQL) a
  session lock held until the update's last reply is sent (storage.coordination.ChatMutex).

Also `/healthz` (liveness: touches nothing), `/readyz` (database reachable and migrations
current) and `/metrics` (Prometheus), and with MINI_APP_NAME the desk Mini App's routes
(bot.desk_web.mini_app). Only the webhook path (and /desk/) should be published to the Internet.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from contextvars import ContextVar

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route
from telegram import Update

from bot import metrics
from bot.chat.context import BotApplication, Context
from bot.chat.failures import DeadLetters, Failure, classify, update_kind
from bot.logs import new_request

log = logging.getLogger(__name__)
MAX_UPDATE_BYTES = 1 << 20  # updates are a few KiB; files arrive by reference, not inline
HANDLE_TIMEOUT = 50.0  # Telegram gives up on a webhook call after about a minute
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name


class WebhookFront:
    def __init__(
        self,
        application: BotApplication,
        secret_token: str,
        dead_letters: DeadLetters,
        *,
        path: str = "/telegram",
        ready: Callable[[], bool] = lambda: True,
        chat_lock: tuple[ContextVar[int | None], Callable[[int], int]] | None = None,
        chat_mutex: Callable[[int], AbstractAsyncContextManager[None]] | None = None,
        handle_timeout: float = HANDLE_TIMEOUT,
        routes: Sequence[BaseRoute] = (),
    ) -> None:
        self._application = application
        self._secret = secret_token.encode()
        self._dead_letters = dead_letters
        self._path = path
        self._ready = ready
        self._chat_lock = chat_lock
        self._chat_mutex = chat_mutex
        self._timeout = handle_timeout
        self._routes = list(routes)  # others served beside the updates (the desk Mini App)
        self._failures: dict[int, BaseException | None] = {}
        self._chats: dict[int, tuple[asyncio.Lock, int]] = {}

    async def on_error(self, update: object, context: Context) -> None:
        """The application's error handler: remember why the update failed."""
        if isinstance(update, Update):
            self._failures[update.update_id] = context.error
            log.error("update %d failed: %s", update.update_id, type(context.error).__name__)

    def asgi(self) -> Starlette:
        return Starlette(
            routes=[
                Route(self._path, self._on_update, methods=["POST"]),
                Route("/healthz", _healthz, methods=["GET"]),
                Route("/readyz", self._on_ready, methods=["GET"]),
                Route("/metrics", _metrics, methods=["GET"]),
                *self._routes,
            ]
        )

    async def _on_update(self, request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            metrics.UPDATES.labels("unknown", "refused").inc()
            return PlainTextResponse("forbidden", status_code=403)
        body = await _body(request)
        if body is None:
            return PlainTextResponse("too large", status_code=413)
        try:
            update = Update.de_json(json.loads(body), self._application.bot)
        except (ValueError, TypeError, KeyError):
            return PlainTextResponse("not an update", status_code=400)
        status = await self.handle(update)
        return Response(status_code=status)

    async def handle(self, update: Update) -> int:
        """Handle one update; the HTTP status to answer Telegram with."""
        new_request()
        kind = update_kind(update)
        started = time.monotonic()
        try:
            async with self._one_at_a_time(update):
                failure, error = await self._process(update)
                if failure is Failure.DETERMINISTIC:
                    await self._dead_letters.put_aside(update, error)
                    outcome, status = "dead_letter", 200
                elif failure is Failure.TRANSIENT:
                    outcome, status = "transient", 503
                elif failure is Failure.REFUSED:
                    outcome, status = "telegram_refused", 200
                else:
                    outcome, status = "handled", 200
        except Exception as error:  # storing the dead letter failed: keep the update pending
            log.warning("update %d stays pending: %s", update.update_id, type(error).__name__)
            outcome, status = "transient", 503
        if status == 503:
            metrics.TRANSIENT.labels("webhook").inc()
        metrics.UPDATES.labels(kind, outcome).inc()
        metrics.LATENCY.labels(kind).observe(time.monotonic() - started)
        return status

    async def _process(self, update: Update) -> tuple[Failure | None, BaseException | None]:
        self._failures.pop(update.update_id, None)
        try:
            await asyncio.wait_for(self._application.process_update(update), self._timeout)
        except TimeoutError as error:
            log.warning("update %d took over %.0f s", update.update_id, self._timeout)
            return Failure.TRANSIENT, error
        except Exception as error:
            return classify(error), error
        if update.update_id not in self._failures:
            return None, None
        failed = self._failures.pop(update.update_id)
        return classify(failed), failed

    @contextlib.asynccontextmanager
    async def _one_at_a_time(self, update: Update) -> AsyncIterator[None]:
        chat = update.effective_chat
        if chat is None:
            yield
            return
        lock, users = self._chats.get(chat.id, (asyncio.Lock(), 0))
        self._chats[chat.id] = (lock, users + 1)
        try:
            async with lock, self._across_replicas(chat.id):
                if self._chat_lock is None:
                    yield
                    return
                variable, key_of = self._chat_lock
                token = variable.set(key_of(chat.id))
                try:
                    yield
                finally:
                    variable.reset(token)
        finally:
            lock, users = self._chats[chat.id]
            if users <= 1:
                del self._chats[chat.id]
            else:
                self._chats[chat.id] = (lock, users - 1)

    def _across_replicas(self, chat_id: int) -> AbstractAsyncContextManager[None]:
        if self._chat_mutex is None:
            return contextlib.nullcontext()
        return self._chat_mutex(chat_id)

    async def _on_ready(self, request: Request) -> Response:
        try:
            ready = await asyncio.wait_for(asyncio.to_thread(self._ready), 5)
        except Exception as error:
            log.warning("not ready: %s", type(error).__name__)
            ready = False
        if ready:
            return PlainTextResponse("ready")
        return PlainTextResponse("not ready", status_code=503)


async def _body(request: Request) -> bytes | None:
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > MAX_UPDATE_BYTES):
        return None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_UPDATE_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


async def _healthz(request: Request) -> Response:
    return PlainTextResponse("ok")


async def _metrics(request: Request) -> Response:
    return Response(metrics.exposition(), media_type="text/plain; version=0.0.4")
