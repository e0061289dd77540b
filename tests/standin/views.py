"""Read-only snapshots of chat messages for test assertions."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class MessageView:
    """A message as a chat member sees it at one moment; `raw` is the Bot API Message."""

    chat_id: int
    message_id: int
    from_bot: bool
    sender_id: int
    date: int
    text: str | None
    caption: str | None
    buttons: list[list[str]]
    callback_data: list[list[str | None]]
    protect_content: bool
    edited: bool
    document: bytes | None
    document_name: str | None
    raw: dict[str, Any]

    @classmethod
    def of(
        cls, data: Mapping[str, Any], *, from_bot: bool, document: bytes | None = None
    ) -> MessageView:
        keyboard = data.get("reply_markup", {}).get("inline_keyboard", [])
        return cls(
            chat_id=data["chat"]["id"],
            message_id=data["message_id"],
            from_bot=from_bot,
            sender_id=data["from"]["id"],
            date=data["date"],
            text=data.get("text"),
            caption=data.get("caption"),
            buttons=[[button["text"] for button in row] for row in keyboard],
            callback_data=[[button.get("callback_data") for button in row] for row in keyboard],
            protect_content=bool(data.get("has_protected_content")),
            edited="edit_date" in data,
            document=document,
            document_name=data.get("document", {}).get("file_name"),
            raw=copy.deepcopy(dict(data)),
        )

    @property
    def content(self) -> str:
        """Text or caption, whichever the message has."""
        return self.text or self.caption or ""

    @property
    def labels(self) -> list[str]:
        return [label for row in self.buttons for label in row]
