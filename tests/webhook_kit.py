"""Webhook test support: the front in process, and Telegram's side of a webhook (the pusher)."""

from __future__ import annotations

import asyncio
import contextlib
import random
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
from aiohttp import web

from bot.app import Runtime
from bot.chat.context import BotApplication
from bot.replicas import mini_app_routes
from bot.shared_state import Replicas
from bot.webhook import SECRET_HEADER, WebhookFront
from tests.e2e import BotProcess, Complainant
from tests.standin import BotApiStandIn
from tests.standin.views import MessageView

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
        chat_mutex=replicas.chat_mutex(),
        routes=mini_app_routes(runtime),
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
        replicas.release()


@dataclass
class Pusher:
    """Telegram's side of a webhook: every update the stand-in's people send is POSTed to
    `url` until it is answered 200. Like Telegram, a chat's updates go one at a time and in
    order; some are pushed twice at once (to two replicas behind a round-robin front), and some
    again after they were answered 200, as when the answer was lost on its way back.
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
            if chance.random() < self.again_after:
                # The 200 was "lost": Telegram sends the update again before the chat's next.
                await asyncio.sleep(chance.uniform(0.01, 0.2))
                await self._post(client, update)
            self.delivered.add(int(update["update_id"]))
            self.pending.pop(int(update["update_id"]), None)

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


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Replica(BotProcess):
    """`complaint-bot run --webhook` in a child process, as a container would start it."""

    args = ("run", "--webhook", "--no-migrate")
    stop_seconds = 40.0  # uvicorn's 30 s graceful shutdown, and some

    def __init__(self, env: dict[str, str], name: str) -> None:
        self.port = free_port()
        self.name = name
        self._use({**env, "LISTEN_PORT": str(self.port)})

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        """Started, and answering /healthz."""
        await super().start()
        assert self.process is not None
        async with httpx.AsyncClient(timeout=2) as client:
            for _ in range(300):
                with contextlib.suppress(httpx.HTTPError):
                    if (await client.get(f"{self.url}/healthz")).status_code == 200:
                        return
                if self.process.returncode is not None:
                    break
                await asyncio.sleep(0.1)
        raise AssertionError(f"replica {self.name} did not start: {await self.stop()}")

    async def metric(self, name: str) -> float | None:
        try:
            async with httpx.AsyncClient(timeout=2) as client:
                text = (await client.get(f"{self.url}/metrics")).text
        except httpx.HTTPError:
            return None
        for line in text.splitlines():
            if line.startswith(name + " ") or line.startswith(name + "{"):
                return float(line.rsplit(" ", 1)[1])
        return None


class RoundRobin:
    """The load balancer in front of the replicas: each request to the next replica in turn,
    on to the one after it when a replica does not answer at all (as an L7 proxy retries)."""

    def __init__(self, replicas: list[Replica]) -> None:
        self.replicas = replicas
        self._next = 0
        self._runner: web.AppRunner | None = None
        self.port = free_port()
        self.served: dict[str, int] = {}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/telegram"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/telegram", self._forward)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()
        self._client = httpx.AsyncClient(timeout=70)

    async def stop(self) -> None:
        await self._client.aclose()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _forward(self, request: web.Request) -> web.Response:
        body = await request.read()
        headers = {SECRET_HEADER: request.headers.get(SECRET_HEADER, "")}
        headers["Content-Type"] = "application/json"
        for _ in self.replicas:
            replica = self.replicas[self._next % len(self.replicas)]
            self._next += 1
            try:
                answer = await self._client.post(
                    f"{replica.url}/telegram", content=body, headers=headers
                )
            except httpx.ConnectError:
                continue
            except httpx.HTTPError:
                return web.Response(status=502)  # the replica died mid-request
            self.served[replica.name] = self.served.get(replica.name, 0) + 1
            return web.Response(status=answer.status_code)
        return web.Response(status=502)


class TcpCut:
    """A TCP proxy to PostgreSQL that the test can cut (every connection closed, new ones
    refused) and restore, so an outage leaves the shared server alone. Listening on another
    address of this machine, it also lets a container reach a server on 127.0.0.1."""

    def __init__(self, target_port: int, host: str = "127.0.0.1") -> None:
        self.port = free_port()
        self.host = host
        self._target = target_port
        self._server: asyncio.Server | None = None
        self._pipes: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, self.host, self.port)

    async def cut(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for writer in list(self._pipes):
            writer.transport.abort()
        self._pipes.clear()

    async def restore(self) -> None:
        await self.start()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self._target)
        except OSError:
            writer.transport.abort()
            return
        self._pipes.update({writer, up_writer})

        async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            try:
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            except (ConnectionError, OSError):
                pass
            finally:
                sink.transport.abort()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
        self._pipes.difference_update({writer, up_writer})


@dataclass
class WebhookComplainant(Complainant):
    """A complainant whose updates reach the bot through the pusher: settles when their own
    chat has been quiet for `quiet` seconds and none of their updates is still pending."""

    pusher: Pusher | None = None

    async def settle(self) -> MessageView:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 60
        last, since = None, loop.time()
        while True:
            now = loop.time()
            shown = [(m.content, tuple(m.labels)) for m in self.user.visible_messages()]
            pending = self.pusher is not None and any(
                _chat_of(u) == self.user.chat_id for u in self.pusher.pending.values()
            )
            if shown != last or pending:
                last, since = shown, now
            elif now - since >= self.quiet:
                break
            if now > deadline:
                raise TimeoutError("the bot did not answer within 60 s")
            await asyncio.sleep(0.05)
        message = self.user.last_bot_message()
        assert message is not None, "the bot said nothing"
        return message
