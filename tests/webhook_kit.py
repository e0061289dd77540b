"""Webhook test support: the front in process, and Telegram's side of a webhook (the pusher)."""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx

from bot.app import Replicas, Runtime
from bot.chat.context import BotApplication
from bot.webhook import SECRET_HEADER, WebhookFront
from tests.standin import BotApiStandIn

SECRET = "test-secret-token-0123456789abcdef"
WEBHOOK_URL = "https://bot.example.test/telegram"


@dataclass
class InProcess:
    runtime: Runtime
    application: BotApplication
    front: WebhookFront
    client: httpx.AsyncClient

    async def post(self, update: dict[str, Any], secret: str | None = SECRET) -> int:
        headers = {} if secret is None else {SECRET_HEADER: secret}
        response = await self.client.post("/telegram", json=update, headers=headers)
        return response.status_code


@contextlib.asynccontextmanager
async def front_in_process(runtime: Runtime) -> AsyncIterator[InProcess]:
    """The webhook front of `runtime`, served to an httpx client without a socket."""
    await asyncio.to_thread(runtime.upgrade_database)
    replicas = Replicas(runtime)
    application, _wiper = runtime.build_application(rate_limiter=replicas.send_limiter())
    front = WebhookFront(
        application,
        SECRET,
        replicas.dead_letters(),
        ready=replicas.ready,
        chat_lock=replicas.chat_lock(),
    )
    application.add_error_handler(front.on_error)
    await application.initialize()
    transport = httpx.ASGITransport(app=front.asgi())
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://front") as client:
            yield InProcess(runtime, application, front, client)
    finally:
        await application.shutdown()
        runtime.database_worker.close()
        runtime.database.dispose()


@dataclass
class Pusher:
    """Telegram's side of a webhook: every update the stand-in's people send is POSTed to
    `url` until it is answered 200. Like Telegram, a chat's updates go one at a time and in
    order; unlike a polite Telegram, some are pushed twice at once (to two replicas behind a
    round-robin front) and some again after they were answered 200.
    """

    standin: BotApiStandIn
    url: str
    secret: str = SECRET
    twice_at_once: float = 0.0
    again_after: float = 0.0
    seed: int = 7
    statuses: list[int] = field(default_factory=list)
    delivered: set[int] = field(default_factory=set)
    pending: dict[int, dict[str, Any]] = field(default_factory=dict)

    async def run(self, stop: asyncio.Event) -> None:
        chance = random.Random(self.seed)
        chats: dict[Any, asyncio.Lock] = {}
        tasks: set[asyncio.Task[None]] = set()
        async with httpx.AsyncClient(timeout=70) as client:
            while not stop.is_set():
                for update in self.standin.take_updates():
                    self.pending[int(update["update_id"])] = update
                    lock = chats.setdefault(_chat_of(update), asyncio.Lock())
                    task = asyncio.create_task(self._push(client, lock, update, chance))
                    tasks.add(task)
                    task.add_done_callback(tasks.discard)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), 0.01)
            for task in list(tasks):
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _push(
        self,
        client: httpx.AsyncClient,
        lock: asyncio.Lock,
        update: dict[str, Any],
        chance: random.Random,
    ) -> None:
        async with lock:
            pause = 0.2
            while True:
                copies = 2 if chance.random() < self.twice_at_once else 1
                answers = await asyncio.gather(*(self._post(client, update) for _ in range(copies)))
                if 200 in answers:
                    break
                await asyncio.sleep(pause)
                pause = min(pause * 2, 2.0)
            self.delivered.add(int(update["update_id"]))
            self.pending.pop(int(update["update_id"]), None)
        if chance.random() < self.again_after:
            await asyncio.sleep(chance.uniform(0.05, 0.5))
            await self._post(client, update)

    async def _post(self, client: httpx.AsyncClient, update: dict[str, Any]) -> int:
        try:
            response = await client.post(
                self.url, json=update, headers={SECRET_HEADER: self.secret}
            )
            status = response.status_code
        except httpx.HTTPError:
            status = 0
        self.statuses.append(status)
        return status


def _chat_of(update: dict[str, Any]) -> Any:
    for kind in ("message", "callback_query"):
        if kind in update:
            body = update[kind]
            message = body.get("message", body) if kind == "callback_query" else body
            return message.get("chat", {}).get("id")
    return update["update_id"]
