"""The test side: simulated Telegram users acting in chats with the bot."""

# ruff: noqa: ASYNC109  # waiting helpers take timeout= like the rest of the test API
from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from .views import MessageView
from .world import BotEvent, ChatState, StoredMessage, World

Predicate = Callable[[MessageView], bool]
_COMMAND = re.compile(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{5,32})?")
STICKER_BYTES = b"RIFF\x1a\x00\x00\x00WEBPVP8 \x0e\x00\x00\x00stand-in-sticker"


class SimGroup:
    """A supergroup the bot is a member of."""

    def __init__(self, world: World, chat: ChatState) -> None:
        self._world = world
        self.chat = chat

    @property
    def chat_id(self) -> int:
        return self.chat.id

    @property
    def title(self) -> str:
        return str(self.chat.data["title"])

    @property
    def messages(self) -> list[MessageView]:
        return [self._world.view(m) for m in self.chat.live.values()]

    @property
    def deleted(self) -> list[MessageView]:
        return [self._world.view(m) for m in self.chat.deleted]

    def last_bot_message(self) -> MessageView | None:
        return _last_bot_message(self._world, self.chat)


class SimUser:
    """A Telegram user; by default acts in the private chat with the bot (id == user_id)."""

    def __init__(
        self,
        world: World,
        user: dict[str, Any],
        chat: ChatState,
        idle: Callable[[float, float], Awaitable[None]],
    ) -> None:
        self._world = world
        self.user = user
        self.chat = chat
        self._idle = idle
        self._seen_new: dict[int, int] = {}
        self._seen_any: dict[int, int] = {}

    @property
    def user_id(self) -> int:
        return int(self.user["id"])

    @property
    def chat_id(self) -> int:
        return self.chat.id

    @property
    def callback_answers(self) -> dict[str, str | None]:
        return {
            q.id: q.answer
            for q in self._world.callback_queries.values()
            if q.user_id == self.user_id and q.answered
        }

    def _target(self, chat: SimGroup | None) -> ChatState:
        return self.chat if chat is None else chat.chat

    def _post(
        self, content: dict[str, Any], chat: SimGroup | None, reply_to: int | None = None
    ) -> int:
        target = self._target(chat)
        replied = None
        if reply_to is not None:
            replied = target.live.get(reply_to)
            if replied is None:
                raise LookupError(f"no live message {reply_to} in chat {target.id}")
        message = self._world.post(target, self.user, content, from_bot=False, reply_to=replied)
        if self.user["is_bot"]:  # bots never see other bots' messages
            return message.message_id
        if not target.left:  # a bot that left a group hears nothing more from it
            self._world.push_update("message", message.data)
        return message.message_id

    async def send_text(
        self, text: str, *, chat: SimGroup | None = None, reply_to: int | None = None
    ) -> int:
        """Send text; a leading /command gets its bot_command entity like a real client adds."""
        content: dict[str, Any] = {"text": text}
        command = _COMMAND.match(text)
        if command:
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": command.end()}]
        return self._post(content, chat, reply_to)

    async def send_command(
        self, command: str, args: str = "", *, chat: SimGroup | None = None
    ) -> int:
        return await self.send_text(f"/{command} {args}".rstrip(), chat=chat)

    async def send_photo(
        self,
        data: bytes,
        caption: str | None = None,
        *,
        chat: SimGroup | None = None,
        reply_to: int | None = None,
    ) -> int:
        photo = self._world.files.add_photo(data)
        return self._post(_with_caption({"photo": photo}, caption), chat, reply_to)

    async def send_document(
        self,
        data: bytes,
        file_name: str = "document.bin",
        mime_type: str = "application/octet-stream",
        caption: str | None = None,
        *,
        chat: SimGroup | None = None,
        reply_to: int | None = None,
        size_known: bool = True,
    ) -> int:
        """A document with the name and MIME type the sender's client chose (any at all); with
        `size_known=False`, Telegram gives no file_size for it (the field is optional)."""
        extension = file_name.rsplit(".", 1)[-1] if "." in file_name else "bin"
        extension = "".join(c for c in extension if c.isalnum())[:8] or "bin"
        stored = self._world.files.add(
            data,
            "documents",
            extension,
            file_name=file_name,
            mime_type=mime_type,
            size_known=size_known,
        )
        document = {"file_name": file_name, "mime_type": mime_type, **stored.describe()}
        return self._post(_with_caption({"document": document}, caption), chat, reply_to)

    async def send_voice(
        self,
        data: bytes,
        duration: int = 1,
        *,
        chat: SimGroup | None = None,
        reply_to: int | None = None,
    ) -> int:
        stored = self._world.files.add(data, "voice", "oga", mime_type="audio/ogg")
        voice = {"duration": duration, "mime_type": "audio/ogg", **stored.describe()}
        return self._post({"voice": voice}, chat, reply_to)

    async def send_sticker(self, emoji: str = "👍", *, chat: SimGroup | None = None) -> int:
        stored = self._world.files.add(STICKER_BYTES, "stickers", "webp")
        sticker = {
            "width": 512,
            "height": 512,
            "emoji": emoji,
            "is_animated": False,
            "is_video": False,
            "type": "regular",
            **stored.describe(),
        }
        return self._post({"sticker": sticker}, chat)

    async def press(
        self, label: str, *, chat: SimGroup | None = None, message_id: int | None = None
    ) -> str:
        """Press the inline button labelled `label`; returns the callback query id."""
        message = self._keyboard_message(chat, message_id)
        buttons = [b for row in message.data["reply_markup"]["inline_keyboard"] for b in row]
        button = next((b for b in buttons if b["text"] == label), None)
        if button is None:
            labels = [b["text"] for b in buttons]
            raise LookupError(
                f"no button {label!r} on message {message.message_id}; available: {labels}"
            )
        if "callback_data" not in button:
            raise LookupError(f"button {label!r} has no callback_data")
        return self._callback(message, button["callback_data"], chat)

    async def press_data(
        self, data: str, message_id: int | None = None, *, chat: SimGroup | None = None
    ) -> str:
        """Send arbitrary callback data from a message, as a forged or replayed press would."""
        return self._callback(self._keyboard_message(chat, message_id), data, chat)

    async def press_inaccessible(
        self, data: str, message_id: int, *, chat: SimGroup | None = None
    ) -> str:
        """A press on a message the bot can no longer see (older than 48 hours, or deleted):
        Telegram sends an InaccessibleMessage, with date 0, instead of the message."""
        target = self._target(chat)
        query = self._world.new_callback_query(self.user_id)
        self._world.push_update(
            "callback_query",
            {
                "id": query.id,
                "from": self.user,
                "message": {"chat": target.data, "message_id": message_id, "date": 0},
                "chat_instance": str(abs(target.id) * 7919 % 10**12),
                "data": data,
            },
        )
        return query.id

    def _keyboard_message(self, chat: SimGroup | None, message_id: int | None) -> StoredMessage:
        target = self._target(chat)
        if message_id is None:
            message = target.newest_keyboard_message()
            if message is None:
                raise LookupError(f"no bot message with an inline keyboard in chat {target.id}")
            return message
        found = target.live.get(message_id)
        if found is None:
            raise LookupError(f"no live message {message_id} in chat {target.id}")
        return found

    def _callback(self, message: StoredMessage, data: str, chat: SimGroup | None) -> str:
        target = self._target(chat)
        query = self._world.new_callback_query(self.user_id)
        self._world.push_update(
            "callback_query",
            {
                "id": query.id,
                "from": self.user,
                "message": message.data,
                "chat_instance": str(abs(target.id) * 7919 % 10**12),
                "data": data,
            },
        )
        return query.id

    async def wait_for_bot_message(
        self,
        timeout: float = 5.0,
        predicate: Predicate | None = None,
        *,
        chat: SimGroup | None = None,
    ) -> MessageView:
        """Next bot message this user has not consumed yet (skipping ones `predicate` rejects)."""
        return await self._next_event(self._seen_new, ("new",), timeout, predicate, chat)

    async def wait_for_bot_update(
        self,
        timeout: float = 5.0,
        predicate: Predicate | None = None,
        *,
        chat: SimGroup | None = None,
    ) -> MessageView:
        """Like wait_for_bot_message, but also returns edits (as the edited snapshot)."""
        return await self._next_event(self._seen_any, ("new", "edit"), timeout, predicate, chat)

    async def _next_event(
        self,
        cursors: dict[int, int],
        kinds: tuple[str, ...],
        within: float,
        predicate: Predicate | None,
        chat: SimGroup | None,
    ) -> MessageView:
        target = self._target(chat)
        found: list[BotEvent] = []

        def scan() -> bool:
            events = target.bot_events
            for index in range(cursors.get(target.id, 0), len(events)):
                event = events[index]
                if event.kind in kinds and (predicate is None or predicate(event.view)):
                    cursors[target.id] = index + 1
                    found.append(event)
                    return True
            return False

        if not await self._world.wait_for(scan, within):
            recent = [e.view.content[:80] for e in target.bot_events[-5:]]
            raise TimeoutError(
                f"no matching bot message in chat {target.id} within {within}s; "
                f"latest bot messages: {recent}"
            )
        return found[0].view

    async def wait_idle(self, quiet: float = 0.2, timeout: float = 10.0) -> None:
        await self._idle(quiet, timeout)

    def visible_messages(self, chat: SimGroup | None = None) -> list[MessageView]:
        return [self._world.view(m) for m in self._target(chat).live.values()]

    def deleted_messages(self, chat: SimGroup | None = None) -> list[MessageView]:
        return [self._world.view(m) for m in self._target(chat).deleted]

    def last_bot_message(self, chat: SimGroup | None = None) -> MessageView | None:
        return _last_bot_message(self._world, self._target(chat))


def _last_bot_message(world: World, chat: ChatState) -> MessageView | None:
    message = next((m for m in reversed(chat.live.values()) if m.from_bot), None)
    return None if message is None else world.view(message)


def _with_caption(content: dict[str, Any], caption: str | None) -> dict[str, Any]:
    return content if caption is None else {**content, "caption": caption}
