"""The Bot API stand-in, timing when each bot message lands in a chat."""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from tests.standin import BotApiStandIn
from tests.standin.methods import BotApi
from tests.standin.world import ChatState, StoredMessage, World


class Landings:
    """perf_counter times at which bot messages (new or edited) landed, per chat."""

    def __init__(self) -> None:
        self._times: defaultdict[int, list[float]] = defaultdict(list)
        self._waiters: dict[int, asyncio.Future[None]] = {}

    def land(self, chat_id: int) -> None:
        self._times[chat_id].append(time.perf_counter())
        waiter = self._waiters.pop(chat_id, None)
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def count(self, chat_id: int) -> int:
        return len(self._times[chat_id])

    async def after(self, chat_id: int, seen: int, within: float) -> float:
        """When the bot message after the first `seen` ones landed (waiting for it if need be)."""
        times = self._times[chat_id]
        async with asyncio.timeout(within):
            while len(times) <= seen:
                waiter = asyncio.get_running_loop().create_future()
                self._waiters[chat_id] = waiter
                await waiter
        return times[seen]


class TimedWorld(World):
    def __init__(self, bot_user: dict[str, Any], on_bot_message: Callable[[int], None]) -> None:
        super().__init__(bot_user)
        self._on_bot_message = on_bot_message

    def post(
        self,
        chat: ChatState,
        sender: dict[str, Any],
        content: dict[str, Any],
        *,
        from_bot: bool,
        reply_to: StoredMessage | None = None,
    ) -> StoredMessage:
        message = super().post(chat, sender, content, from_bot=from_bot, reply_to=reply_to)
        if from_bot:
            self._on_bot_message(chat.id)
        return message

    def edit(
        self,
        chat: ChatState,
        message: StoredMessage,
        keys: tuple[str, ...],
        content: dict[str, Any],
    ) -> None:
        super().edit(chat, message, keys, content)
        self._on_bot_message(chat.id)


class TimedStandIn(BotApiStandIn):
    def __init__(self, token: str, landings: Landings) -> None:
        super().__init__(token=token)
        self._world = TimedWorld(self._world.bot_user, landings.land)
        self._api = BotApi(self._world)
        self.updates_returned = 0
        self._api.handlers["getUpdates"] = self._counted_get_updates

    async def _counted_get_updates(self, p: dict[str, Any]) -> Any:
        """getUpdates, counting the updates it returns (the bot decodes each one)."""
        updates = await self._api.get_updates(p)
        self.updates_returned += len(updates)
        return updates

    def get_updates_calls(self) -> int:
        return sum(1 for call in self.calls if call.method == "getUpdates")
