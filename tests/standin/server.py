"""HTTP front of the stand-in: routing, auth, validation, fault injection, recording."""

# ruff: noqa: ASYNC109  # waiting helpers take timeout= like the rest of the test API
from __future__ import annotations

import asyncio
import json
from collections import defaultdict, deque
from collections.abc import Callable
from types import TracebackType
from typing import Any

from aiohttp import web

from .methods import BotApi
from .model import ApiCall, ApiError, SpecViolation, Upload
from .spec import load_spec, validate_call
from .users import SimGroup, SimUser
from .views import MessageView
from .world import ChatState, World

# "Bots can currently send files of any type of up to 50 MB in size" (sendDocument and the
# other send methods); a larger file part is answered 413 "Request Entity Too Large", as
# Telegram's cloud Bot API does. A request body larger still is cut off by aiohttp itself.
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
MAX_REQUEST_BYTES = MAX_UPLOAD_BYTES + 16 * 1024 * 1024
DEFAULT_TOKEN = "123456:TEST-token"


class BotApiStandIn:
    """A local Bot API server for one bot token, plus the simulated Telegram behind it."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        bot_id: int | None = None,
        bot_username: str = "complaint_test_bot",
        bot_name: str = "Complaint Bot",
    ) -> None:
        self.token = token
        bot_user = {
            "id": bot_id if bot_id is not None else int(token.split(":", 1)[0]),
            "is_bot": True,
            "first_name": bot_name,
            "username": bot_username,
        }
        self.calls: list[ApiCall] = []
        self.violations: list[SpecViolation] = []
        self._world = World(bot_user)
        self._api = BotApi(self._world)
        self._faults: defaultdict[str, deque[ApiError]] = defaultdict(deque)
        self._users: dict[int, SimUser] = {}
        self._groups: dict[int, SimGroup] = {}
        self._unpaused = asyncio.Event()
        self._unpaused.set()
        self._busy = 0
        self._last_activity = 0.0
        self._runner: web.AppRunner | None = None
        self._port: int | None = None

    @property
    def url(self) -> str:
        if self._port is None:
            raise RuntimeError("the stand-in is not started")
        return f"http://127.0.0.1:{self._port}"

    @property
    def bot_user(self) -> dict[str, Any]:
        return dict(self._world.bot_user)

    async def start(self) -> None:
        app = web.Application(client_max_size=MAX_REQUEST_BYTES)
        app.router.add_route("*", "/bot{token}/{method}", self._on_method)
        app.router.add_get("/file/bot{token}/{path:.+}", self._on_file)
        app.router.add_route("*", "/{tail:.*}", self._on_unknown_path)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = site.port
        self._world.closing = False

    async def stop(self) -> None:
        self._world.closing = True
        self._world.notify()
        self._unpaused.set()
        if self._runner is not None:
            await self._runner.cleanup()
        self._runner = None
        self._port = None

    async def __aenter__(self) -> BotApiStandIn:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    def now(self) -> float:
        return self._world.now()

    def advance_clock(self, seconds: float) -> None:
        self._world.clock_offset += seconds

    def fail_next(self, method: str, *errors: ApiError) -> None:
        """Answer the next calls of `method` with these errors, one call each."""
        name = load_spec().method_name(method)
        if name is None:
            raise ValueError(f"{method!r} is not a Bot API method")
        self._faults[name].extend(errors)

    def forbid(self, chat_id: int) -> None:
        self._known_chat(chat_id).forbidden = True

    def allow(self, chat_id: int) -> None:
        self._known_chat(chat_id).forbidden = False

    def pause(self) -> None:
        """Hold every request until `resume()`, as if Telegram stopped answering."""
        self._unpaused.clear()

    def resume(self) -> None:
        self._unpaused.set()

    def unconfirmed_update_ids(self) -> list[int]:
        """Updates the bot has not confirmed yet (by a getUpdates offset past them)."""
        return self._world.updates.pending_ids()

    def take_updates(self) -> list[dict[str, Any]]:
        """Hand over the pending updates and forget them, for a test that pushes them to a
        webhook as Telegram does (tests/webhook_kit.py) instead of serving getUpdates."""
        updates = self._world.updates.peek(100)
        if updates:
            self._world.updates.confirm(int(updates[-1]["update_id"]) + 1)
        return updates

    def user(
        self,
        user_id: int,
        first_name: str,
        language_code: str | None = None,
        username: str | None = None,
        last_name: str | None = None,
        *,
        is_bot: bool = False,
    ) -> SimUser:
        """A person; with `is_bot`, another bot in the same groups (its messages reach people,
        never this bot, as in Telegram)."""
        optional = {"last_name": last_name, "username": username}
        names = {"first_name": first_name, **{k: v for k, v in optional.items() if v}}
        user = {"id": user_id, "is_bot": is_bot, **names}
        if language_code:
            user["language_code"] = language_code
        existing = self._users.get(user_id)
        if existing is not None:
            if existing.user != user:  # two test people given one id: a test bug, not a match
                raise ValueError(f"user {user_id} exists as someone else")
            return existing
        chat = self._world.add_chat({"id": user_id, **names, "type": "private"})
        sim = self._users[user_id] = SimUser(self._world, user, chat, self.wait_idle)
        return sim

    def group(
        self,
        chat_id: int,
        title: str,
        *,
        username: str | None = None,
        bot_is_admin: bool = True,
    ) -> SimGroup:
        existing = self._groups.get(chat_id)
        if existing is not None:
            return existing
        data: dict[str, Any] = {"id": chat_id, "title": title, "type": "supergroup"}
        if username:
            data["username"] = username
        chat = self._world.add_chat(data, bot_is_admin=bot_is_admin)
        group = self._groups[chat_id] = SimGroup(self._world, chat)
        return group

    def group_messages(self, chat_id: int) -> list[MessageView]:
        return self._groups[chat_id].messages

    def calls_of(self, method: str) -> list[ApiCall]:
        return [c for c in self.calls if c.method == method]

    def unanswered_callback_queries(self) -> list[str]:
        return [q.id for q in self._world.callback_queries.values() if not q.answered]

    def assert_no_violations(self) -> None:
        if self.violations:
            listing = "\n".join(f"  - {v}" for v in self.violations)
            raise AssertionError(f"{len(self.violations)} Bot API violation(s):\n{listing}")

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 5.0) -> None:
        """Wait until `predicate()` holds; re-checked after every state change, and every 20 ms
        for conditions on state outside the stand-in."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate():
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"condition not met within {timeout}s")
            await self._world.wait_for(predicate, min(0.02, remaining))

    async def wait_idle(self, quiet: float = 0.2, timeout: float = 10.0) -> None:
        """Wait until all updates are fetched and the bot made no other calls for `quiet` s."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self._busy or len(self._world.updates) or loop.time() - self._last_activity < quiet:
            if loop.time() >= deadline:
                raise TimeoutError(f"the bot did not go idle within {timeout}s")
            await asyncio.sleep(quiet / 4)

    def _known_chat(self, chat_id: int) -> ChatState:
        chat = self._world.find_chat(chat_id)
        if chat is None:
            raise KeyError(f"unknown chat {chat_id}; create it with user() or group()")
        return chat

    def _violate(self, method: str, message: str) -> None:
        self.violations.append(SpecViolation(method, message))

    async def _on_method(self, request: web.Request) -> web.Response:
        await self._unpaused.wait()
        if request.match_info["token"] != self.token:
            return _reply(ApiError(401, "Unauthorized"))
        name = request.match_info["method"]
        if name.lower() == "getupdates":
            return await self._dispatch(name, request)
        self._busy += 1
        try:
            return await self._dispatch(name, request)
        finally:
            self._busy -= 1
            self._last_activity = asyncio.get_running_loop().time()

    async def _dispatch(self, name: str, request: web.Request) -> web.Response:
        try:
            raw = await _read_params(request)
        except ValueError as exc:
            self._violate(name, str(exc))
            return _reply(ApiError(400, f"Bad Request: {exc}"))
        method = load_spec().method_name(name)
        if method is None:
            self._violate(name, f"unknown method {name!r}")
            self.calls.append(ApiCall(name, raw, self.now(), 404))
            return _reply(ApiError(404, "Not Found"))
        params, problems = validate_call(method, raw)
        call = ApiCall(method, params, self.now())
        self.calls.append(call)
        try:
            if any(isinstance(v, Upload) and len(v.data) > MAX_UPLOAD_BYTES for v in raw.values()):
                raise ApiError(413, "Request Entity Too Large")
            if problems:
                for problem in problems:
                    self._violate(method, problem)
                raise ApiError(400, f"Bad Request: {problems[0]}")
            if self._faults[method]:
                raise self._faults[method].popleft()
            handler = self._api.handlers.get(method)
            if handler is None:
                self._violate(method, "method is not implemented by the stand-in")
                raise ApiError(400, f"Bad Request: {method} is not implemented by the stand-in")
            result = await handler(params)
        except ApiError as error:
            call.status = error.code
            return _reply(error)
        return web.json_response({"ok": True, "result": result})

    async def _on_file(self, request: web.Request) -> web.StreamResponse:
        await self._unpaused.wait()
        if request.match_info["token"] != self.token:
            return _reply(ApiError(401, "Unauthorized"))
        stored = self._world.files.at_path(request.match_info["path"])
        if stored is None:
            return _reply(ApiError(404, "Not Found"))
        return web.Response(body=stored.data, content_type="application/octet-stream")

    async def _on_unknown_path(self, request: web.Request) -> web.Response:
        return _reply(ApiError(404, "Not Found"))


def _reply(error: ApiError) -> web.Response:
    return web.json_response(error.payload(), status=error.code)


async def _read_params(request: web.Request) -> dict[str, Any]:
    params: dict[str, Any] = dict(request.query)
    if not request.body_exists:
        return params
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except json.JSONDecodeError:
            raise ValueError("can't parse JSON request body") from None
        if not isinstance(body, dict):
            raise ValueError("JSON request body must be an object")
        return params | body
    form = await request.post()
    for key, value in form.items():
        if isinstance(value, web.FileField):
            params[key] = Upload(value.filename, value.content_type, value.file.read())
        else:
            params[key] = value.decode() if isinstance(value, bytes) else value
    return params
