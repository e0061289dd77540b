"""A stand-in for the few `telegram.Bot` calls the courier and the wiper make, in process.

The end-to-end tests use the Bot API stand-in (`tests/standin`); these unit tests only need to
see what was sent or deleted, and to make a call fail the way Telegram fails.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

from telegram import Bot, InlineKeyboardMarkup, InputFile
from telegram.error import TelegramError


@dataclass
class Sent:
    chat_id: int
    text: str
    message_id: int
    protect_content: bool = False
    document: bytes | None = None
    file_name: str | None = None
    markup: InlineKeyboardMarkup | None = None


@dataclass
class FakeBot:
    sent: list[Sent] = field(default_factory=list)
    deleted: list[tuple[int, list[int]]] = field(default_factory=list)
    failures: list[TelegramError] = field(default_factory=list)  # raised by the next calls
    last_message_id: int = 4_000

    def as_bot(self) -> Bot:
        return cast(Bot, self)

    def _fail_if_told(self) -> None:
        if self.failures:
            raise self.failures.pop(0)

    async def send_message(
        self,
        chat_id: int,
        text: str,
        *,
        parse_mode: str | None = None,
        protect_content: bool = False,
        reply_markup: InlineKeyboardMarkup | None = None,
        **_: Any,
    ) -> Sent:
        self._fail_if_told()
        self.last_message_id += 1
        sent = Sent(chat_id, text, self.last_message_id, protect_content, markup=reply_markup)
        self.sent.append(sent)
        return sent

    async def send_document(
        self,
        chat_id: int,
        document: InputFile,
        *,
        caption: str = "",
        parse_mode: str | None = None,
        reply_markup: InlineKeyboardMarkup | None = None,
        **_: Any,
    ) -> Sent:
        self._fail_if_told()
        self.last_message_id += 1
        data = document.input_file_content
        sent = Sent(
            chat_id, caption, self.last_message_id,
            document=data if isinstance(data, bytes) else data.read(),
            file_name=document.filename, markup=reply_markup,
        )  # fmt: skip
        self.sent.append(sent)
        return sent

    async def delete_messages(self, chat_id: int, message_ids: list[int], **_: Any) -> bool:
        self._fail_if_told()
        self.deleted.append((chat_id, list(message_ids)))
        return True
