"""A bare python-telegram-bot bot, the framework floor the intake bot is measured against.

Long polling through `run_polling`, no storage: it asks `len(FLOOR_SCRIPT)` questions, each with an
inline keyboard ("t" asks for typed text, "p" for a button), then a review with a send button.
Like the intake bot it edits the message on a button press and sends a new one on typed text.
Settings: TELEGRAM_BOT_TOKEN, TELEGRAM_API_URL, FLOOR_SCRIPT; run with `python -m bench.floor_bot`.
"""

from __future__ import annotations

import logging
import os

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

CONCURRENCY = 64
CHOICES = ("yes", "no", "dont_know", "other")
THANKS = "Thank you. Your report has been received and will be passed to the coalition."
Screen = tuple[str, InlineKeyboardMarkup]


class Floor:
    def __init__(self, script: str) -> None:
        self._script = script
        self._position: dict[int, int] = {}

    async def on_start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat = update.effective_chat
        if chat is not None:
            self._position[chat.id] = 0
            await self._send(context, chat.id, 0)

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat = update.effective_chat
        if chat is not None:
            position = self._position.get(chat.id, 0) + 1
            self._position[chat.id] = position
            await self._send(context, chat.id, position)

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query, chat = update.callback_query, update.effective_chat
        if query is None or chat is None or query.data is None:
            return
        _, number, op = query.data.split(":")[:3]
        await query.answer()
        if op == "S":
            self._position.pop(chat.id, None)
            await query.edit_message_text(THANKS)
            return
        position = int(number) + 1
        self._position[chat.id] = position
        text, markup = self._screen(position)
        await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)

    async def _send(self, context: ContextTypes.DEFAULT_TYPE, chat_id: int, position: int) -> None:
        text, markup = self._screen(position)
        await context.bot.send_message(
            chat_id, text, parse_mode=ParseMode.HTML, reply_markup=markup, protect_content=True
        )

    def _screen(self, position: int) -> Screen:
        if position >= len(self._script):
            return _review(position)
        return _prompt(position, len(self._script), self._script[position] == "t")


def _prompt(position: int, count: int, typed: bool) -> Screen:
    parts = [f"<i>Question {position + 1} of {count}</i>", "<b>What happened next?</b>"]
    rows = [] if typed else [[_button(code, f"q:{position}:c:{code}")] for code in CHOICES]
    if typed:
        parts.append("<i>Type your answer.</i>")
    rows.append([_button("◀️ Back", f"q:{position}:b"), _button("Skip ⏭", f"q:{position}:s")])
    return "\n\n".join(parts), InlineKeyboardMarkup(rows)


def _review(position: int) -> Screen:
    rows = [
        [_button("✅ Send the report", f"q:{position}:S")],
        [_button("◀️ Back", f"q:{position}:b")],
    ]
    return "<b>Please check your report before sending.</b>", InlineKeyboardMarkup(rows)


def _button(label: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=data)


def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    base = os.environ["TELEGRAM_API_URL"].rstrip("/")
    application = (
        Application.builder()
        .token(os.environ["TELEGRAM_BOT_TOKEN"])
        .base_url(f"{base}/bot")
        .base_file_url(f"{base}/file/bot")
        .concurrent_updates(CONCURRENCY)
        .build()
    )
    floor = Floor(os.environ["FLOOR_SCRIPT"])
    application.add_handler(CommandHandler("start", floor.on_start))
    application.add_handler(CallbackQueryHandler(floor.on_button))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, floor.on_text))
    application.run_polling(allowed_updates=["message", "callback_query"], timeout=25)


if __name__ == "__main__":
    main()
