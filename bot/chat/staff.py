"""Telegram handlers for coalition staff: case cards' buttons and the case commands.

Thin: each handler reads the update, asks Casework (one unit of work, audited), and answers
through the staff sender. Anyone who is not staff of the case's coalition, in its staff chat or a
private chat with the bot, gets the same short refusal whether or not the reference exists.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import html
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from telegram import CallbackQuery, Message, Update, User
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop

from bot.cases.casework import (
    Actor,
    CaseView,
    Casework,
    CaseworkOutcome,
    Noted,
    OpenCases,
    Refusal,
    Relayed,
    Resent,
    Unreachable,
)
from bot.cases.reference import normalise_reference
from bot.cases.statuses import STATUSES, parse_status, status_label
from bot.chat import callbacks as cb
from bot.chat.context import Context, DatabaseCalls
from bot.chat.delivery import sealed_file_name
from bot.chat.prompts import PromptKind, prompt_text
from bot.chat.sealed_copies import scratch_file
from bot.chat.senders import StaffSender
from bot.i18n import Catalogs, Translator

log = logging.getLogger(__name__)


class CaseLine(Protocol):
    """What a staff list shows of a case."""

    @property
    def reference(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def urgency(self) -> str: ...
    @property
    def received_on(self) -> dt.date: ...
    @property
    def assignee(self) -> str | None: ...


class StaffHandlers:
    def __init__(
        self,
        casework: Casework,
        catalogs: Catalogs,
        pseudonym_of: Callable[[int], str],
        sender: StaffSender,
        calls: DatabaseCalls,
        on_queued: Callable[[], None] | None = None,
        *,
        spool_folder: Path | None = None,
    ) -> None:
        self._spool_folder = spool_folder
        self._send = sender
        self._call = calls
        self._casework = casework
        self._catalogs = catalogs
        self._pseudonym_of = pseudonym_of
        self._on_queued = on_queued or (lambda: None)

    def actor(self, update: Update) -> Actor | None:
        user, chat = update.effective_user, update.effective_chat
        if user is None or chat is None:
            return None
        return Actor(user.id, chat.id, self._pseudonym_of(user.id))

    async def on_foreign_group(self, update: Update, context: Context) -> None:
        """Anything from a group that is not a configured staff chat: the bot leaves it, and
        handles nothing of it (nothing is audited, nothing answered)."""
        chat = update.effective_chat
        if chat is None or chat.type == chat.PRIVATE or self._casework.is_staff_chat(chat.id):
            return
        if update.callback_query is not None:
            with contextlib.suppress(TelegramError):
                await update.callback_query.answer()
        with contextlib.suppress(TelegramError):
            await context.bot.leave_chat(chat.id)
        log.info("left a group that is not a staff chat")
        raise ApplicationHandlerStop

    def is_staff(self, actor: Actor) -> bool:
        return self._casework.is_staff(actor.user_id)

    async def refuse(self, actor: Actor, action: str) -> None:
        await self._call(self._casework.refuse, actor, action, None)

    async def on_help(self, update: Update, context: Context) -> None:
        actor, message = self.actor(update), update.effective_message
        if actor is None or message is None or not self._casework.coalitions_of(actor):
            return
        t = self._translator(actor, update.effective_user)
        await self._say(message, _staff_help(t))

    async def on_status(self, update: Update, context: Context) -> None:
        """`/status REF [status]`: show a case, or set its status."""
        actor, message = self.actor(update), update.effective_message
        if actor is None or message is None:
            return
        t = self._translator(actor, update.effective_user)
        args = context.args or []
        reference = normalise_reference(args[0]) if args else None
        if reference is None:
            await self._refuse_or_usage(actor, message, t, "status", _status_usage(t))
            return
        if len(args) == 1:
            outcome = await self._call(self._casework.show, actor, reference)
        else:
            status = parse_status(" ".join(args[1:]), self._all_translators())
            if status is None:
                await self._refuse_or_usage(
                    actor, message, t, "status", _status_usage(t), reference
                )
                return
            outcome = await self._call(
                self._casework.set_status, actor, update.update_id, reference, status
            )
        await self._say(message, self._text(t, outcome, actor))

    async def on_reply(self, update: Update, context: Context) -> None:
        actor, message = self.actor(update), update.effective_message
        if actor is None or message is None or message.text is None:
            return
        t = self._translator(actor, update.effective_user)
        reference, text = _reference_and_text(message.text)
        if reference is None or text is None:
            await self._refuse_or_usage(
                actor, message, t, "reply", t.gettext("Usage: /reply REFERENCE your message")
            )
            return
        await self.relay(update, actor, message, reference, text)

    async def relay(
        self, update: Update, actor: Actor, message: Message, reference: str, text: str
    ) -> None:
        t = self._translator(actor, update.effective_user)
        outcome = await self._call(self._casework.reply, actor, update.update_id, reference, text)
        await self._say(message, self._text(t, outcome, actor, reference))
        if isinstance(outcome, Relayed):
            self._on_queued()
            await _try_delete(message)

    async def on_note(self, update: Update, context: Context) -> None:
        actor, message = self.actor(update), update.effective_message
        if actor is None or message is None or message.text is None:
            return
        t = self._translator(actor, update.effective_user)
        reference, text = _reference_and_text(message.text)
        if reference is None or text is None:
            await self._refuse_or_usage(
                actor, message, t, "note", t.gettext("Usage: /note REFERENCE your note")
            )
            return
        outcome = await self._call(
            self._casework.add_note, actor, update.update_id, reference, text
        )
        await self._say(message, self._text(t, outcome, actor, reference))
        if isinstance(outcome, Noted):
            self._on_queued()
            await _try_delete(message)

    async def on_case(self, update: Update, context: Context) -> None:
        actor, message = self.actor(update), update.effective_message
        if actor is None or message is None:
            return
        t = self._translator(actor, update.effective_user)
        args = context.args or []
        reference = normalise_reference(args[0]) if args else None
        if reference is None:
            await self._refuse_or_usage(
                actor, message, t, "resend", t.gettext("Usage: /case REFERENCE")
            )
            return
        with scratch_file(self._spool_folder) as copy:  # ciphertext only, one chunk at a time
            outcome = await self._call(self._casework.resend, actor, reference, copy)
            if isinstance(outcome, Resent):
                copy.seek(0)
                name = sealed_file_name(reference, 0)
                caption = t.gettext("Case {reference}, sealed.", reference=reference)
                await self._send.send_file(message.chat_id, copy, name, caption)
                return
        await self._say(message, self._text(t, outcome, actor, reference))

    async def on_cases(self, update: Update, context: Context) -> None:
        actor, message = self.actor(update), update.effective_message
        if actor is None or message is None:
            return
        t = self._translator(actor, update.effective_user)
        outcome = await self._call(self._casework.open_cases, actor)
        await self._say(message, self._text(t, outcome, actor))

    async def on_button(self, update: Update, context: Context) -> None:
        query, actor = update.callback_query, self.actor(update)
        if query is None or actor is None:
            return
        t = self._translator(actor, update.effective_user)
        button = cb.decode(query.data)
        if not isinstance(button, cb.StaffButton):
            await query.answer(t.gettext("Not available."))
            return
        if button.op == cb.StaffOp.REPLY:
            await self._prompt_reply(query, actor, t, button.reference)
            return
        act = (
            self._casework.acknowledge
            if button.op == cb.StaffOp.ACKNOWLEDGE
            else self._casework.assign_to_me
        )
        outcome = await self._call(act, actor, update.update_id, button.reference)
        text = self._text(t, outcome, actor, button.reference)
        await query.answer(text[:200])
        if isinstance(outcome, CaseView) and isinstance(query.message, Message):
            ref, name = button.reference, query.from_user.first_name
            if button.op == cb.StaffOp.ACKNOWLEDGE:
                line = t.gettext("{reference}: acknowledged by {name}.", reference=ref, name=name)
            else:
                line = t.gettext("{reference}: assigned to {name}.", reference=ref, name=name)
            await self._say(query.message, line)

    async def _prompt_reply(
        self, query: CallbackQuery, actor: Actor, t: Translator, reference: str
    ) -> None:
        outcome = await self._call(self._casework.show, actor, reference)
        if not isinstance(outcome, CaseView):
            await query.answer(t.gettext("Not available."))
            return
        await query.answer()
        if isinstance(query.message, Message):
            prompt = t.gettext(
                "Write your message to the complainant as a reply to this message. "
                "It is signed with the coalition's name and their code word."
            )
            text = prompt_text(PromptKind.STAFF_REPLY, reference, html.escape(prompt))
            await self._send.prompt_html(query.message.chat_id, text, reference)

    async def _refuse_or_usage(
        self,
        actor: Actor,
        message: Message,
        t: Translator,
        action: str,
        usage: str,
        reference: str | None = None,
    ) -> None:
        """Staff who mistyped get the usage; anyone else the refusal, audited."""
        if self._casework.coalitions_of(actor):
            await self._say(message, usage)
            return
        outcome = await self._call(self._casework.refuse, actor, action, reference)
        await self._say(message, self._text(t, outcome, actor))

    def _text(
        self, t: Translator, outcome: CaseworkOutcome, actor: Actor, reference: str | None = None
    ) -> str:
        match outcome:
            case Refusal():
                return t.gettext("Not available.")
            case CaseView(case=case):
                return _case_line(t, case, actor)
            case Relayed(way="chat"):
                return t.gettext(
                    "Sent to the complainant's chat about {reference}. Your message here was "
                    "removed if the bot may delete messages.",
                    reference=reference,
                )
            case Relayed():
                return t.gettext(
                    "Kept for {reference}: the complainant reads it when they check with their "
                    "case code.",
                    reference=reference,
                )
            case Unreachable():
                return t.gettext(
                    "The complainant of {reference} cannot be reached through the bot: they asked "
                    "not to be contacted this way, or erased their contact.",
                    reference=reference,
                )
            case Noted(number=number):
                name = sealed_file_name(reference or "", number)
                return t.gettext("Note sealed as {name}.", name=name)
            case OpenCases(cases=cases):
                if not cases:
                    return t.gettext("No open cases.")
                lines = [t.gettext("Open cases, most urgent first:")]
                lines += [_case_line(t, case, actor) for case in cases]
                return "\n".join(lines)
            case _:
                return t.gettext("Not available.")

    def _translator(self, actor: Actor, user: User | None) -> Translator:
        coalitions = self._casework.coalitions_of(actor)
        if coalitions:
            return self._catalogs.translator(coalitions[0].language)
        return self._catalogs.translator_for(user.language_code if user else None)

    def _all_translators(self) -> list[Translator]:
        return [self._catalogs.translator(language) for language in self._catalogs.offered]

    async def _say(self, message: Message, text: str) -> None:
        await self._send.say(message.chat_id, text)


def _case_line(t: Translator, case: CaseLine, actor: Actor) -> str:
    urgency = {"high": "🔴", "medium": "🟠", "low": "⚪️"}.get(case.urgency, "⚪️")
    days = (dt.datetime.now(dt.UTC).date() - case.received_on).days
    if case.assignee is None:
        who = t.gettext("nobody")
    elif case.assignee == actor.pseudonym:
        who = t.gettext("you")
    else:
        who = case.assignee
    return t.gettext(
        "{mark} {reference} · {status} · {age} · assigned to {who}",
        mark=urgency,
        reference=case.reference,
        status=status_label(t, case.status),
        age=t.ngettext("{n} day old", "{n} days old", days),
        who=who,
    )


def _reference_and_text(command: str) -> tuple[str | None, str | None]:
    """`/cmd REF free text` → (REF, text), keeping the text's own line breaks."""
    parts = command.split(maxsplit=2)
    reference = normalise_reference(parts[1]) if len(parts) > 1 else None
    return reference, parts[2] if len(parts) > 2 else None


def _status_usage(t: Translator) -> str:
    labels = ", ".join(status_label(t, code) for code in STATUSES)
    return t.gettext("Usage: /status REFERENCE STATUS. Statuses: {labels}.", labels=labels)


def _staff_help(t: Translator) -> str:
    return "\n".join(
        [
            t.gettext("Commands for coalition staff:"),
            t.gettext("/cases — open cases, most urgent first"),
            t.gettext("/case REFERENCE — send the sealed case file again"),
            t.gettext("/status REFERENCE STATUS — set the status"),
            t.gettext("/reply REFERENCE text — write to the complainant"),
            t.gettext("/note REFERENCE text — add an internal note, sealed to the coalition"),
        ]
    )


async def _try_delete(message: Message) -> None:
    """Remove staff's own words from the chat if the bot may (it must be an admin in groups)."""
    with contextlib.suppress(TelegramError):
        await message.delete()
