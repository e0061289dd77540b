"""One sender per audience: every message the bot writes in a chat goes through one of these.

- ComplainantSender: Telegram HTML, content protected (no forwarding or saving), no link previews.
  The texts come from `bot.chat.screens`, escaped there.
- StaffSender: plain text escaped here, to the staff chat or a staff member's private chat.

Both keep the Telegram calls in one place, so the options cannot drift between handlers.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import IO

from telegram import (
    Bot,
    CallbackQuery,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    LinkPreviewOptions,
    Message,
    ReplyParameters,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.chat.screens import Row, Screen

# Sent explicitly on each call rather than through PTB's Defaults, which would also add them to
# methods that have no such parameters (editMessageReplyMarkup, editMessageText).
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


def markup(
    rows: Sequence[Row], links: Sequence[tuple[str, str]] = ()
) -> InlineKeyboardMarkup | None:
    """Callback buttons by rows of (label, data), then each link (label, https URL) on a row."""
    if not rows and not links:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows]
        + [[InlineKeyboardButton(label, url=url)] for label, url in links]
    )


def rows_of(message: object) -> list[Row]:
    """The buttons a message shows now, as rows of (label, data)."""
    current = getattr(message, "reply_markup", None)
    if not isinstance(current, InlineKeyboardMarkup):
        return []
    return [
        [(b.text, b.callback_data) for b in row if isinstance(b.callback_data, str)]
        for row in current.inline_keyboard
    ]


class ComplainantSender:
    def __init__(self, bot: Bot) -> None:
        self._bot = bot

    async def send(self, chat_id: int, *screens: Screen, reply_to: int | None = None) -> list[int]:
        """Send each screen as a message (the first as a reply to `reply_to`, if it is still
        there); the ids of the messages sent."""
        sent: list[int] = []
        for screen in screens:
            replying = (
                ReplyParameters(reply_to, allow_sending_without_reply=True)
                if reply_to is not None and not sent
                else None
            )
            message = await self._bot.send_message(
                chat_id,
                screen.text,
                parse_mode=ParseMode.HTML,
                link_preview_options=NO_PREVIEW,
                reply_markup=markup(screen.buttons),
                protect_content=True,
                reply_parameters=replying,
            )
            sent.append(message.message_id)
        return sent

    async def prompt(self, chat_id: int, text: str, placeholder: str) -> int:
        """A message the complainant answers by replying to it."""
        message = await self._bot.send_message(
            chat_id,
            text,
            parse_mode=ParseMode.HTML,
            link_preview_options=NO_PREVIEW,
            protect_content=True,
            reply_markup=ForceReply(input_field_placeholder=placeholder),
        )
        return message.message_id

    async def replace(self, message: Message, screens: Sequence[Screen]) -> None:
        """Show the first screen in place of `message` (its buttons were pressed), send the rest."""
        first, *rest = screens
        if first.text != message.text_html or first.buttons != rows_of(message):
            try:
                await self._bot.edit_message_text(
                    first.text,
                    chat_id=message.chat_id,
                    message_id=message.message_id,
                    parse_mode=ParseMode.HTML,
                    link_preview_options=NO_PREVIEW,
                    reply_markup=markup(first.buttons),
                )
            except BadRequest as error:
                if "not modified" not in str(error):
                    await self.send(message.chat_id, first)
        await self.send(message.chat_id, *rest)

    async def set_buttons(self, query: CallbackQuery, rows: Sequence[Row]) -> None:
        """Change only the buttons of the pressed message; nothing if they are the same."""
        if list(rows) == rows_of(query.message):
            return
        try:
            await query.edit_message_reply_markup(markup(rows))
        except BadRequest as error:
            if "not modified" not in str(error):
                raise


class StaffSender:
    def __init__(self, bot: Bot) -> None:
        self._bot = bot

    async def say(self, chat_id: int, text: str) -> int:
        return await self.say_html(chat_id, html.escape(text))

    async def say_html(self, chat_id: int, text: str) -> int:
        """`text` is Telegram HTML already, escaped where it must be."""
        message = await self._bot.send_message(
            chat_id, text, parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW
        )
        return message.message_id

    async def prompt_html(self, chat_id: int, text: str, placeholder: str) -> int:
        """A message staff answer by replying to it (`text` is Telegram HTML already)."""
        message = await self._bot.send_message(
            chat_id,
            text,
            parse_mode=ParseMode.HTML,
            link_preview_options=NO_PREVIEW,
            reply_markup=ForceReply(input_field_placeholder=placeholder),
        )
        return message.message_id

    async def send_file(
        self, chat_id: int, content: bytes | IO[bytes], name: str, caption: str
    ) -> None:
        await self.send_file_html(chat_id, content, name, html.escape(caption))

    async def send_file_html(
        self,
        chat_id: int,
        content: bytes | IO[bytes],
        name: str,
        caption: str,
        buttons: Sequence[Row] = (),
        links: Sequence[tuple[str, str]] = (),
    ) -> None:
        """A file for staff to save and open on their own device, so not protect_content. A
        file object is streamed to Telegram from where it stands, not read into memory first."""
        await self._bot.send_document(
            chat_id,
            InputFile(content, filename=name, read_file_handle=isinstance(content, bytes)),
            caption=caption or None,
            parse_mode=ParseMode.HTML,
            reply_markup=markup(buttons, links),
        )
