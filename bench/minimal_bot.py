"""The minimal floor: a bare python-telegram-bot bot that sends one plain reply per update.

Long polling through `run_polling` with PTB's defaults (httpx), no storage, no keyboard, no edit:
each message gets one `sendMessage` with a short plain text. It is the leanest honest bot on this
stack, the floor the issue's CPU target (at most 1.5x) is set against; `bench/floor_bot.py` is the
heavier floor that mimics the questionnaire's screens. Settings: TELEGRAM_BOT_TOKEN,
TELEGRAM_API_URL, and FLOOR_TRANSPORT=aiohttp to give it the bot's own transport
(bot/chat/telegram_request.py) instead of PTB's httpx; run with `python -m bench.minimal_bot`.
"""

from __future__ import annotations

import logging
import os

from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters

from bot.chat.telegram_request import bot_requests

CONCURRENCY = 64
REPLY = "Thank you, noted."


async def on_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    chat = update.effective_chat
    if chat is not None:
        await context.bot.send_message(chat.id, REPLY)


def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    base = os.environ["TELEGRAM_API_URL"].rstrip("/")
    builder = (
        Application.builder()
        .token(os.environ["TELEGRAM_BOT_TOKEN"])
        .base_url(f"{base}/bot")
        .base_file_url(f"{base}/file/bot")
        .concurrent_updates(CONCURRENCY)
    )
    if os.environ.get("FLOOR_TRANSPORT") == "aiohttp":
        calls, polls = bot_requests()
        builder = builder.request(calls).get_updates_request(polls)
    application = builder.build()
    application.add_handler(MessageHandler(filters.ALL, on_message))
    application.run_polling(allowed_updates=["message"], timeout=25)


if __name__ == "__main__":
    main()
