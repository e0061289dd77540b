"""Telegram handlers for what happens after sending: status, case codes, answers both ways.

- `/status` in the private chat lists the status of cases linked to this account (no content).
- `/check CODE` shows a case-code holder the status and the coalition's new messages; the
  command message, which holds the code, is deleted first.
- A reply to a bot message that names a case is an answer: from staff (to the staff prompt, see
  bot.chat.prompts) it is relayed to the complainant; from the complainant it is sealed for the
  coalition and removed from the chat.
"""

from __future__ import annotations

import html

from telegram import CallbackQuery, Message, Update

from bot.cases.complainants import ComplainantCases, Found, Miss, SlowDown
from bot.cases.followups import Enclosure
from bot.cases.statuses import status_label
from bot.chat import callbacks as cb
from bot.chat.attachments import AttachmentRefused, attachment_of, fetch, typed
from bot.chat.case_buttons import answer_rows
from bot.chat.context import Context
from bot.chat.kit import ComplainantKit
from bot.chat.prompts import PromptKind, prompt_text, replied_to
from bot.chat.screens import Screen
from bot.chat.staff import StaffHandlers
from bot.chat.wiper import CASE_MESSAGE_LIFETIME
from bot.i18n import Translator
from bot.intake.engine import MAX_FILE_BYTES, MIB
from bot.intake.vocabulary import Refusal


class FollowUpHandlers:
    def __init__(
        self,
        cases: ComplainantCases,
        staff: StaffHandlers,
        kit: ComplainantKit,
        *,
        file_bytes: int = MAX_FILE_BYTES,
    ) -> None:
        # The most one answer's file may hold: a sealed answer, like a case, must fit one upload.
        self._file_bytes = min(file_bytes, MAX_FILE_BYTES)
        self._send = kit.sender
        self._call = kit.calls
        self._cases = cases
        self._staff = staff
        self._catalogs = kit.catalogs
        self._handle_of = kit.handle_of
        self._wiper = kit.wiper
        self._on_queued = kit.on_queued

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
        records = await self._call(self._cases.statuses, self._handle_of(user.id))
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
        outcome = await self._call(self._cases.check, self._handle_of(user.id), typed)
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
        text = html.escape("\n".join(parts), quote=False)
        shown = await self._send.send(
            message.chat_id, Screen(text, answer_rows(t, found.reference))
        )
        await self._wiper.schedule(message.chat_id, shown, CASE_MESSAGE_LIFETIME)
        await self._call(self._cases.mark_read, found.message_ids)

    async def on_answer_button(self, update: Update, context: Context) -> None:
        query, user = update.callback_query, update.effective_user
        if query is None or user is None:
            return
        t = self._translator(update)
        button = cb.decode(query.data)
        handle = self._handle_of(user.id)
        if not isinstance(button, cb.AnswerButton) or not await self._call(
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
        chat_id = query.message.chat_id
        text = prompt_text(PromptKind.COMPLAINANT_ANSWER, reference, html.escape(prompt))
        shown = await self._send.prompt(chat_id, text, reference)
        await self._wiper.schedule(chat_id, [shown], CASE_MESSAGE_LIFETIME)

    async def on_staff_reply(self, update: Update, context: Context) -> None:
        """A reply to the staff prompt: relayed to the complainant (staff only, audited)."""
        message = update.effective_message
        replied = replied_to(message) if message is not None else None
        actor = self._staff.actor(update)
        if message is None or replied is None or actor is None or not message.text:
            return
        await self._staff.relay(update, actor, message, replied.reference, message.text)

    async def on_complainant_reply(self, update: Update, context: Context) -> None:
        """A complainant's reply about their case, in the private chat: sealed for the coalition."""
        message = update.effective_message
        replied = replied_to(message) if message is not None else None
        if message is None or replied is None:
            return
        await self._answer(update, context, message, replied.reference, replied.prompt)

    async def _answer(
        self,
        update: Update,
        context: Context,
        message: Message,
        reference: str,
        prompt_kind: PromptKind | None,
    ) -> None:
        assert update.effective_user is not None
        t = self._translator(update)
        handle = self._handle_of(update.effective_user.id)
        if not await self._call(self._cases.may_answer, handle, reference):
            await self._say(message, t.gettext("This report cannot receive answers from here."))
            return
        if not self._cases.may_send_more(reference):
            await self._say(
                message,
                t.gettext(
                    "You have sent as many answers about this report as the bot takes in one "
                    "day. Please send more tomorrow."
                ),
            )
            return
        enclosure = None
        if not message.text:
            try:
                described = attachment_of(message, self._file_bytes)
                data = await fetch(context.bot, described, self._file_bytes)
                attachment = typed(described, data)
            except AttachmentRefused as refusal:
                await self._say(message, _refused_answer(t, refusal, self._file_bytes))
                return
            enclosure = Enclosure(attachment.name, attachment.mime, data)
        text = message.text or message.caption
        sent = await self._call(
            self._cases.answer, update.update_id, handle, reference, text, enclosure
        )
        if not sent:
            await self._say(message, t.gettext("This report cannot receive answers from here."))
            return
        self._on_queued()
        prompt = message.reply_to_message
        own = [message.message_id]
        if prompt is not None and prompt_kind == PromptKind.COMPLAINANT_ANSWER:
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
        said = await self._send.send(message.chat_id, Screen(html.escape(text, quote=False)))
        if expires:
            await self._wiper.schedule(message.chat_id, said, CASE_MESSAGE_LIFETIME)


def _refused_answer(t: Translator, refusal: AttachmentRefused, limit: int) -> str:
    if refusal.reason == Refusal.FILE_TOO_LARGE:
        return t.gettext(
            "This answer was not sent: its file is larger than {max_mb} MB, the most one "
            "answer can pass on to the coalition. You can send a smaller or compressed version, "
            "or describe the file in words.",
            max_mb=limit // MIB,
        )
    return t.gettext(
        "This file was not saved: the bot takes only photos, videos, voice "
        "and audio recordings, PDF files, Word or OpenDocument documents and "
        "plain text. Please send it again in one of these forms."
    )
