"""In-memory Telegram state: chats, messages, files, updates and a clock."""

from __future__ import annotations

import asyncio
import copy
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from .views import MessageView

DEFAULT_EXCLUDED_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
PHOTO_SIZES = ((90, 67), (800, 600))


@dataclass
class StoredMessage:
    data: dict[str, Any]
    from_bot: bool
    sent_at: float

    @property
    def message_id(self) -> int:
        return int(self.data["message_id"])


@dataclass(frozen=True)
class BotEvent:
    kind: Literal["new", "edit"]
    view: MessageView


@dataclass
class ChatState:
    data: dict[str, Any]
    bot_is_admin: bool = False
    forbidden: bool = False
    left: bool = False  # the bot left it (leaveChat)
    live: dict[int, StoredMessage] = field(default_factory=dict)
    deleted: list[StoredMessage] = field(default_factory=list)
    bot_events: list[BotEvent] = field(default_factory=list)
    last_message_id: int = 0

    @property
    def id(self) -> int:
        return int(self.data["id"])

    @property
    def is_private(self) -> bool:
        return bool(self.data["type"] == "private")

    def newest_keyboard_message(self) -> StoredMessage | None:
        return next(
            (
                m
                for m in reversed(self.live.values())
                if m.from_bot and "inline_keyboard" in m.data.get("reply_markup", {})
            ),
            None,
        )


@dataclass
class CallbackQueryState:
    id: str
    user_id: int
    created_at: float
    answered: bool = False
    answer: str | None = None


@dataclass(frozen=True)
class StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    data: bytes
    file_name: str | None = None
    mime_type: str | None = None
    size_known: bool = True  # file_size is optional in the Bot API, and may be absent

    def describe(self) -> dict[str, Any]:
        described: dict[str, Any] = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
        }
        if self.size_known:
            described["file_size"] = len(self.data)
        return described


class FileStore:
    def __init__(self) -> None:
        self._by_id: dict[str, StoredFile] = {}
        self._by_path: dict[str, StoredFile] = {}

    def add(
        self,
        data: bytes,
        folder: str,
        extension: str,
        *,
        file_name: str | None = None,
        mime_type: str | None = None,
        size_known: bool = True,
    ) -> StoredFile:
        number = len(self._by_id) + 1
        digest = hashlib.sha256(data + number.to_bytes(8, "big")).hexdigest()
        stored = StoredFile(
            file_id=f"BQACAgIAAxkB{digest[:40]}",
            file_unique_id=f"AgAD{digest[40:52]}",
            file_path=f"{folder}/file_{number}.{extension}",
            data=data,
            file_name=file_name,
            mime_type=mime_type,
            size_known=size_known,
        )
        self._by_id[stored.file_id] = stored
        self._by_path[stored.file_path] = stored
        return stored

    def add_photo(self, data: bytes) -> list[dict[str, Any]]:
        """Store a photo the way Telegram does: one file per PhotoSize."""
        return [
            {**self.add(data, "photos", "jpg").describe(), "width": width, "height": height}
            for width, height in PHOTO_SIZES
        ]

    def get(self, file_id: str) -> StoredFile | None:
        return self._by_id.get(file_id)

    def at_path(self, file_path: str) -> StoredFile | None:
        return self._by_path.get(file_path)


class UpdateQueue:
    """Unconfirmed updates; getUpdates' offset confirms and drops earlier ones."""

    def __init__(self) -> None:
        self._pending: list[dict[str, Any]] = []
        self._next_id = 1
        self._allowed: frozenset[str] | None = None

    def __len__(self) -> int:
        return len(self._pending)

    def pending_ids(self) -> list[int]:
        return [int(update["update_id"]) for update in self._pending]

    def set_allowed(self, kinds: list[str]) -> None:
        self._allowed = frozenset(kinds) if kinds else None

    def accepts(self, kind: str) -> bool:
        if self._allowed is None:
            return kind not in DEFAULT_EXCLUDED_UPDATES
        return kind in self._allowed

    def push(self, kind: str, payload: dict[str, Any]) -> int | None:
        if not self.accepts(kind):
            return None
        update_id = self._next_id
        self._next_id += 1
        self._pending.append({"update_id": update_id, kind: copy.deepcopy(payload)})
        return update_id

    def confirm(self, offset: int) -> None:
        if offset < 0:
            self._pending = self._pending[offset:]
        elif offset > 0:
            self._pending = [u for u in self._pending if u["update_id"] >= offset]

    def peek(self, limit: int) -> list[dict[str, Any]]:
        return copy.deepcopy(self._pending[:limit])

    def clear(self) -> None:
        self._pending.clear()


class World:
    """Everything both sides of the stand-in share; `notify` wakes all waiters."""

    def __init__(self, bot_user: dict[str, Any]) -> None:
        self.bot_user = bot_user
        self.chats: dict[int, ChatState] = {}
        self.files = FileStore()
        self.updates = UpdateQueue()
        self.callback_queries: dict[str, CallbackQueryState] = {}
        self.clock_offset = 0.0
        self.closing = False
        self._changed = asyncio.Event()

    def now(self) -> float:
        return time.time() + self.clock_offset

    def notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_for(self, predicate: Callable[[], bool], within: float) -> bool:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while not predicate():
            remaining = deadline - loop.time()
            if remaining <= 0 or self.closing:
                return False
            try:
                await asyncio.wait_for(self._changed.wait(), remaining)
            except TimeoutError:
                return predicate()
        return True

    def add_chat(self, data: dict[str, Any], *, bot_is_admin: bool = False) -> ChatState:
        chat = self.chats.get(data["id"])
        if chat is None:
            chat = self.chats[data["id"]] = ChatState(data, bot_is_admin=bot_is_admin)
        return chat

    def find_chat(self, chat_id: int | str) -> ChatState | None:
        if isinstance(chat_id, int):
            return self.chats.get(chat_id)
        username = chat_id.removeprefix("@").lower()
        return next(
            (c for c in self.chats.values() if str(c.data.get("username", "")).lower() == username),
            None,
        )

    def post(
        self,
        chat: ChatState,
        sender: dict[str, Any],
        content: dict[str, Any],
        *,
        from_bot: bool,
        reply_to: StoredMessage | None = None,
    ) -> StoredMessage:
        chat.last_message_id += 1
        data: dict[str, Any] = {
            "message_id": chat.last_message_id,
            "from": sender,
            "chat": chat.data,
            "date": int(self.now()),
        }
        if reply_to is not None:
            data["reply_to_message"] = {
                k: v for k, v in reply_to.data.items() if k != "reply_to_message"
            }
        data.update(content)
        message = StoredMessage(copy.deepcopy(data), from_bot, self.now())
        chat.live[message.message_id] = message
        if from_bot:
            chat.bot_events.append(BotEvent("new", self.view(message)))
        self.notify()
        return message

    def edit(
        self,
        chat: ChatState,
        message: StoredMessage,
        keys: tuple[str, ...],
        content: dict[str, Any],
    ) -> None:
        for key in keys:
            message.data.pop(key, None)
        message.data.update(copy.deepcopy(content))
        message.data["edit_date"] = int(self.now())
        chat.bot_events.append(BotEvent("edit", self.view(message)))
        self.notify()

    def delete(self, chat: ChatState, message: StoredMessage) -> None:
        del chat.live[message.message_id]
        chat.deleted.append(message)
        self.notify()

    def new_callback_query(self, user_id: int) -> CallbackQueryState:
        query_id = str(4_300_000_000_000_000_000 + len(self.callback_queries))
        query = self.callback_queries[query_id] = CallbackQueryState(query_id, user_id, self.now())
        return query

    def push_update(self, kind: str, payload: dict[str, Any]) -> None:
        self.updates.push(kind, payload)
        self.notify()

    def view(self, message: StoredMessage) -> MessageView:
        document = message.data.get("document")
        stored = self.files.get(document["file_id"]) if document else None
        return MessageView.of(
            message.data,
            from_bot=message.from_bot,
            document=stored.data if stored else None,
        )
