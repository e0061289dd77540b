"""Telegram handlers for what happens after sending: status, case codes, answers both ways.

- `/status` in the private chat lists the status of cases linked to this account (no content).
- `/check CODE` shows a case-code holder the status and the coalition's new messages; the
  command message, which holds the code, is deleted first.
- A reply to a bot message that names a case is an answer: from staff (to the `↩️` prompt) it is
  relayed to the complainant; from the complainant it is sealed for the coalition and removed
  from the chat.
"""

from __future__ import annotations

import asyncio
import html
from collections.abc import Callable

from telegram import CallbackQuery, ForceReply, Message, Update
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.cases.complainants import ComplainantCases, Found, Miss, SlowDown
from bot.cases.followups import Enclosure
from bot.cases.reference import IN_TEXT
from bot.cases.statuses import status_label
from bot.chat import case_buttons
from bot.chat.attachments import AttachmentRefused, attachment_of
from bot.chat.database_executor import in_database
from bot.chat.staff import STAFF_PROMPT_MARK, StaffHandlers
from bot.chat.wiper import CASE_MESSAGE_LIFETIME, Wiper
from bot.i18n import Catalogs, Translator

Context = ContextTypes.DEFAULT_TYPE
ANSWER_PROMPT_MARK = "✍️"


class _RepliesAboutACase(filters.MessageFilter):
    """A message answering one of the bot's messages that names a case."""

    def filter(self, message: Message) -> bool:
        return _case_replied_to(message) is not None


def _case_replied_to(message: Message) -> str | None:
    replied = message.reply_to_message
    if replied is None or replied.from_user is None or not replied.from_user.is_bot:
        return None
    found = IN_TEXT.search(replied.text or replied.caption or "")
    return found.group(0) if found else None


class FollowUpHandlers:
    def __init__(
        self,
        cases: ComplainantCases,
        staff: StaffHandlers,
        catalogs: Catalogs,
        handle_of: Callable[[int], str],
        wiper: Wiper,
        on_queued: Callable[[], None] | None = None,
    ) -> None:
        self._cases = cases
        self._staff = staff
        self._catalogs = catalogs
        self._handle_of = handle_of
        self._wiper = wiper
        self._on_queued = on_queued or (lambda: None)

    def register(self, application: Application) -> None:  # type: ignore[type-arg]
        private = filters.ChatType.PRIVATE
        application.add_handler(CommandHandler("check", self.on_check, filters=private))
        application.add_handler(CommandHandler("status", self.on_status, filters=private))
        application.add_handler(CallbackQueryHandler(self.on_answer_button, pattern=r"^a:"))
        application.add_handler(
            MessageHandler(_RepliesAboutACase() & ~filters.COMMAND, self.on_reply_to_case)
        )

    async def on_status(self, update: Update, context: Context) -> None:
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        actor = self._staff.actor(update)
        if context.args and actor is not None:
            if self._staff.is_staff(actor):
                await self._staff.on_status(update, context)
                return
            await self._staff.refuse(actor, "status")
        t = self._translator(update)
        records = await in_database(self._cases.statuses, self._handle_of(user.id))
        if records:
            lines = [t.gettext("Your reports:")]
            lines += [f"{r.reference} — {status_label(t, r.status)}" for r in records]
        else:
            lines = [
                t.gettext("No report is linked to this Telegram account."),
                t.gettext(
                    "If you chose a case code, send /check followed by your code, "
                    "for example /check ABCD-EFGH-JKMN-PQRS."
                ),
            ]
        await self._say(message, "\n".join(lines), expires=bool(records))

    async def on_check(self, update: Update, context: Context) -> None:
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        t = self._translator(update)
        await self._wiper.wipe(message.chat_id, [message.message_id])
        typed = " ".join(context.args or [])
        if not typed:
            await self._say(
                message,
                t.gettext(
                    "Send /check followed by your case code, for example "
                    "/check ABCD-EFGH-JKMN-PQRS. The message with the code is deleted at once."
                ),
            )
            return
        outcome = await asyncio.to_thread(self._cases.check, self._handle_of(user.id), typed)
        match outcome:
            case SlowDown(seconds=seconds):
                text = t.gettext(
                    "Too many wrong codes. Wait {seconds} seconds and try again.", seconds=seconds
                )
                await self._say(message, text)
            case Miss():
                await self._say(
                    message, t.gettext("No report matches this code. Check it and try again.")
                )
            case Found():
                await self._show_found(message, t, outcome)

    async def _show_found(self, message: Message, t: Translator, found: Found) -> None:
        parts = [
            t.gettext(
                "Report {reference}: {status}.",
                reference=found.reference,
                status=status_label(t, found.status),
            )
        ]
        if not found.messages:
            parts.append(t.gettext("No new messages."))
        for item in found.messages:
            parts.append("")
            parts.append(t.gettext("✉️ {sender}, {day}:", sender=item.sender, day=item.sent_on))
            parts.append(item.text)
            if item.code_word:
                parts.append(t.gettext("Your code word: {word}", word=item.code_word))
        parts.append("")
        parts.append(t.gettext("To answer, press “Answer” within 30 minutes."))
        parts.append(t.gettext("This message is deleted from this chat after 24 hours."))
        shown = await message.get_bot().send_message(
            message.chat_id,
            html.escape("\n".join(parts)),
            parse_mode=ParseMode.HTML,
            protect_content=True,
            reply_markup=case_buttons.answer_button(t, found.reference),
        )
        await self._wiper.schedule(message.chat_id, [shown.message_id], CASE_MESSAGE_LIFETIME)
        await in_database(self._cases.mark_read, found.message_ids)

    async def on_answer_button(self, update: Update, context: Context) -> None:
        query, user = update.callback_query, update.effective_user
        if query is None or user is None:
            return
        t = self._translator(update)
        button = case_buttons.decode_case_button(query.data)
        handle = self._handle_of(user.id)
        if not isinstance(button, case_buttons.AnswerButton) or not await in_database(
            self._cases.may_answer, handle, button.reference
        ):
            await query.answer(t.gettext("This button is no longer active."))
            return
        await query.answer()
        await self._prompt_answer(query, t, button.reference)

    async def _prompt_answer(self, query: CallbackQuery, t: Translator, reference: str) -> None:
        if not isinstance(query.message, Message):
            return
        prompt = t.gettext(
            "Write your answer as a reply to this message: text, a voice message, a photo or a "
            "document. It is sealed for the coalition and then removed from this chat."
        )
        shown = await query.message.get_bot().send_message(
            query.message.chat_id,
            f"{ANSWER_PROMPT_MARK} {reference}\n{html.escape(prompt)}",
            parse_mode=ParseMode.HTML,
            protect_content=True,
            reply_markup=ForceReply(input_field_placeholder=reference),
        )
        await self._wiper.schedule(shown.chat_id, [shown.message_id], CASE_MESSAGE_LIFETIME)

    async def on_reply_to_case(self, update: Update, context: Context) -> None:
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        reference = _case_replied_to(message)
        if reference is None:
            return
        replied = message.reply_to_message
        staff_prompt = replied is not None and (replied.text or "").startswith(STAFF_PROMPT_MARK)
        actor = self._staff.actor(update)
        if staff_prompt:
            if actor is not None and message.text:
                await self._staff.relay(update, actor, message, reference, message.text)
            return
        if message.chat.type != "private":
            return  # staff talking about a case among themselves: never relayed
        await self._answer(update, context, message, reference)

    async def _answer(
        self, update: Update, context: Context, message: Message, reference: str
    ) -> None:
        assert update.effective_user is not None
        t = self._translator(update)
        handle = self._handle_of(update.effective_user.id)
        if not await in_database(self._cases.may_answer, handle, reference):
            await self._say(message, t.gettext("This report cannot receive answers from here."))
            return
        enclosure = None
        if not message.text:
            try:
                attachment = attachment_of(message)
            except AttachmentRefused:
                await self._say(
                    message,
                    t.gettext(
                        "This kind of file cannot be sent. Send text, a voice message, a photo, "
                        "or a PDF or office document up to 20 MB."
                    ),
                )
                return
            telegram_file = await context.bot.get_file(attachment.file_id)
            data = bytes(await telegram_file.download_as_bytearray())
            enclosure = Enclosure(attachment.name, attachment.mime, data)
        text = message.text or message.caption
        sent = await in_database(
            self._cases.answer, update.update_id, handle, reference, text, enclosure
        )
        if not sent:
            await self._say(message, t.gettext("This report cannot receive answers from here."))
            return
        self._on_queued()
        prompt = message.reply_to_message
        own = [message.message_id]
        if prompt is not None and (prompt.text or "").startswith(ANSWER_PROMPT_MARK):
            own.append(prompt.message_id)
        await self._wiper.wipe(message.chat_id, own)
        await self._say(
            message,
            expires=True,
            text=t.gettext(
                "Your answer about {reference} was sealed for the coalition and removed from "
                "this chat.",
                reference=reference,
            ),
        )

    def _translator(self, update: Update) -> Translator:
        user = update.effective_user
        return self._catalogs.translator_for(user.language_code if user else None)

    async def _say(self, message: Message, text: str, *, expires: bool = False) -> None:
        said = await message.get_bot().send_message(
            message.chat_id, html.escape(text), parse_mode=ParseMode.HTML, protect_content=True
        )
        if expires:
            await self._wiper.schedule(said.chat_id, [said.message_id], CASE_MESSAGE_LIFETIME)
