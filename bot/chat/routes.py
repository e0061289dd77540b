"""The routing table: every Telegram update the bot handles, in the order it is tried.

One place, so the order is visible: within a group the first handler whose filter matches
wins, which is what lets the catch-alls at the end of group 0 stay catch-alls.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from telegram import Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.chat.context import BotApplication, Context
from bot.chat.followup import FollowUpHandlers
from bot.chat.handlers import IntakeHandlers
from bot.chat.prompts import PromptKind, RepliesAboutACase, RepliesToPrompt
from bot.chat.staff import StaffHandlers

FLOOD_GUARD = -1
HANDLERS = 0
FILES = filters.PHOTO | filters.Document.ALL | filters.VOICE | filters.AUDIO | filters.VIDEO


def add_routes(
    application: BotApplication,
    intake: IntakeHandlers,
    staff: StaffHandlers,
    followup: FollowUpHandlers,
) -> None:
    private, group = filters.ChatType.PRIVATE, ~filters.ChatType.PRIVATE
    table: dict[int, Sequence[BaseHandler[Any, Context, Any]]] = {
        FLOOD_GUARD: [TypeHandler(Update, intake.on_any_update)],
        HANDLERS: [
            # Complainants, in the private chat with the bot.
            CommandHandler("start", intake.on_start, filters=private),
            CommandHandler("help", intake.on_help, filters=private),
            CommandHandler("language", intake.on_language, filters=private),
            CommandHandler("cancel", intake.on_cancel, filters=private),
            CommandHandler("exit", intake.on_exit, filters=private),
            CommandHandler("delete", intake.on_delete, filters=private),
            CommandHandler("check", followup.on_check, filters=private),
            CommandHandler("status", followup.on_status, filters=private),
            # Coalition staff, in their staff chat or a private chat (authorized per case).
            CommandHandler("cases", staff.on_cases),
            CommandHandler("case", staff.on_case),
            CommandHandler("reply", staff.on_reply),
            CommandHandler("note", staff.on_note),
            CommandHandler("status", staff.on_status, filters=group),
            CommandHandler("help", staff.on_help, filters=group),
            # Buttons, by the namespace of their data (bot.chat.callbacks).
            CallbackQueryHandler(staff.on_button, pattern=r"^s:"),
            CallbackQueryHandler(followup.on_answer_button, pattern=r"^a:"),
            CallbackQueryHandler(intake.on_button),
            # Replies to the bot's own messages about a case.
            MessageHandler(
                RepliesToPrompt(PromptKind.STAFF_REPLY) & ~filters.COMMAND,
                followup.on_staff_reply,
            ),
            MessageHandler(
                private & RepliesAboutACase() & ~filters.COMMAND, followup.on_complainant_reply
            ),
            # What is left of the private chat: the questionnaire's answers.
            MessageHandler(private & filters.COMMAND, intake.on_help),
            MessageHandler(private & filters.TEXT, intake.on_text),
            MessageHandler(private & FILES, intake.on_file),
            MessageHandler(private, intake.on_other),
        ],
    }
    application.add_handlers(table)
