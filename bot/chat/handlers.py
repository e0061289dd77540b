"""Telegram adapters for complainants: each update becomes one intake call, then its reply.

Each adapter reads the update, makes one service call (one database transaction, in the
database worker), and carries out what the outcome says: the screens to show (bot.chat.screens),
the messages to delete (the erasure policy is the service's), a case code to show once. Replies
are sent only after the transaction has committed.
"""

from __future__ import annotations

import asyncio
import html
import logging
import re
from collections.abc import Sequence

from telegram import CallbackQuery, Message, Update
from telegram.ext import ApplicationHandlerStop

from bot.cases.reference import normalise_reference
from bot.cases.withdrawal import Withdrawals
from bot.chat import callbacks as cb
from bot.chat.attachments import AttachmentRefused, attachment_of, fetch, typed
from bot.chat.context import Context
from bot.chat.flood import BUTTON_COST, WARNING_EVERY_SECONDS, FloodGuard
from bot.chat.kit import ComplainantKit
from bot.chat.screens import Helpline, Screen, Screens
from bot.chat.senders import rows_of
from bot.intake import engine, erasure
from bot.intake.inputs import Unsupported
from bot.intake.service import (
    CODE_CONFIRMATION_LIFETIME,
    AlreadyApplied,
    Arrival,
    IntakeOutcome,
    IntakeService,
    Refused,
    Sent,
    Shown,
    Stale,
)

log = logging.getLogger(__name__)
_COUNTRY_PAYLOAD = re.compile(r"^[a-z]{2}$")


class IntakeHandlers:
    def __init__(
        self,
        service: IntakeService,
        kit: ComplainantKit,
        *,
        demo: bool = False,
        flood: FloodGuard | None = None,
        unsaid_notice_delay: float = WARNING_EVERY_SECONDS,
        withdrawals: Withdrawals | None = None,
        helplines: Sequence[Helpline] = (),
    ) -> None:
        self._service = service
        self._form = service.form
        self._catalogs = kit.catalogs
        self._handle_of = kit.handle_of
        self._wiper = kit.wiper
        self._send = kit.sender
        self._call = kit.calls
        self._on_sent = kit.on_queued
        self._demo = demo
        self._flood = flood or FloodGuard()
        self._unsaid_notice_delay = unsaid_notice_delay
        self._later: set[asyncio.Task[None]] = set()
        self._withdrawals = withdrawals
        self._helplines = tuple(helplines)

    async def on_any_update(self, update: Update, context: Context) -> None:
        """Flood control before anything else. A press that is not taken gets a pop-up (its
        button stays, to press again); a message that is not taken gets a reply saying it was
        not saved and should be sent again, or, past that reply budget, is counted into one
        later notice saying how many were not saved."""
        user = update.effective_user
        if user is None:
            return
        pressed = update.callback_query is not None
        verdict = self._flood.check(user.id, BUTTON_COST if pressed else 1.0)
        if verdict.allowed:
            return
        screens = self._screens_for(user.language_code)
        if update.callback_query is not None:
            await update.callback_query.answer(screens.too_fast() if verdict.warn else None)
        elif verdict.warn and update.effective_chat is not None:
            message = update.effective_message
            await self._send.send(
                update.effective_chat.id,
                Screen(_escape(screens.not_saved_too_fast())),
                reply_to=message.message_id if message is not None else None,
            )
        elif verdict.owed and update.effective_chat is not None:
            notice = self._tell_unsaid_later(user.id, update.effective_chat.id, screens)
            self._later.add(task := asyncio.create_task(notice))
            task.add_done_callback(self._later.discard)
        raise ApplicationHandlerStop

    async def _tell_unsaid_later(self, account_id: int, chat_id: int, screens: Screens) -> None:
        await asyncio.sleep(self._unsaid_notice_delay)
        unsaid = self._flood.settle(account_id)
        if unsaid:
            await self._send.send(chat_id, Screen(_escape(screens.not_saved_many(unsaid))))

    async def on_start(self, update: Update, context: Context) -> None:
        user, message = update.effective_user, update.effective_message
        if user is None or message is None:
            return
        outcome = await self._call(
            self._service.begin,
            self._handle_of(user.id),
            update.update_id,
            self._catalogs.best_language(user.language_code),
            _presets(context),
            message.message_id,
            message.chat_id,
        )
        await self._carry_out(message.chat_id, outcome, user.language_code, intro=True)

    async def on_help(self, update: Update, context: Context) -> None:
        user, chat = update.effective_user, update.effective_chat
        if user is None or chat is None:
            return
        current = await self._call(self._service.current, self._handle_of(user.id))
        screens = self._screens(current, user.language_code)
        await self._send.send(chat.id, Screen(screens.help()))

    async def on_language(self, update: Update, context: Context) -> None:
        user, chat = update.effective_user, update.effective_chat
        if user is None or chat is None:
            return
        current = await self._call(self._service.current, self._handle_of(user.id))
        screens = self._screens(current, user.language_code)
        await self._send.send(chat.id, screens.language_picker(self._catalogs.offered))

    async def on_cancel(self, update: Update, context: Context) -> None:
        user, message = update.effective_user, update.effective_message
        if user is None or message is None:
            return
        outcome = await self._call(
            self._service.discard, self._handle_of(user.id), update.update_id
        )
        await self._carry_out(message.chat_id, outcome, user.language_code)

    async def on_exit(self, update: Update, context: Context) -> None:
        """Emergency exit: discard the draft and delete the whole conversation, both sides."""
        user, message = update.effective_user, update.effective_message
        if user is None or message is None:
            return
        outcome = await self._call(
            self._service.discard,
            self._handle_of(user.id),
            update.update_id,
            erase_through=message.message_id,
        )
        await self._wiper.wipe(message.chat_id, outcome.erase)

    async def on_delete(self, update: Update, context: Context) -> None:
        """Withdraw: erase this account's links (and the draft and the chat without a reference);
        with a reference linked to this account, its coalition is told."""
        user, message = update.effective_user, update.effective_message
        if user is None or message is None or self._withdrawals is None:
            return
        typed = " ".join(context.args or [])
        reference = normalise_reference(typed) if typed else None
        if reference is None and typed and not self._withdrawals.is_case_code(typed):
            await self._wiper.wipe(message.chat_id, [message.message_id])  # it may hold a code
            screens = self._screens_for(user.language_code)
            await self._send.send(message.chat_id, screens.withdraw_what())
            return
        if reference is None and typed:
            await self._wiper.wipe(message.chat_id, [message.message_id])  # it holds the code
            withdrawn = await self._call(
                self._withdrawals.withdraw_by_code,
                self._handle_of(user.id),
                update.update_id,
                typed,
                message.message_id,
            )
            screens = self._screens(withdrawn, user.language_code)
            await self._send.send(
                message.chat_id, screens.withdrawn_by_code(withdrawn.wait_seconds)
            )
            return
        withdrawn = await self._call(
            self._withdrawals.withdraw,
            self._handle_of(user.id),
            update.update_id,
            reference,
            message.message_id,
        )
        screens = self._screens(withdrawn, user.language_code)
        await self._send.send(message.chat_id, screens.withdrawn(with_reference=bool(reference)))
        await self._wiper.wipe(message.chat_id, withdrawn.erase)

    async def on_text(self, update: Update, context: Context) -> None:
        user, message = update.effective_user, update.effective_message
        if user is None or message is None or message.text is None:
            return
        outcome = await self._call(
            self._service.give_text,
            self._handle_of(user.id),
            update.update_id,
            message.text,
            message_id=message.message_id,
        )
        await self._carry_out(message.chat_id, outcome, user.language_code)

    async def on_file(self, update: Update, context: Context) -> None:
        user, message = update.effective_user, update.effective_message
        if user is None or message is None:
            return
        handle = self._handle_of(user.id)
        try:
            described = attachment_of(message)
            data = await fetch(context.bot, described)
            attachment = typed(described, data)
        except AttachmentRefused as refusal:
            refused = await self._call(
                self._service.refuse_file, handle, refusal.reason, refusal.params
            )
            await self._carry_out(message.chat_id, refused, user.language_code)
            return
        arrival = Arrival(
            data, attachment.name, attachment.mime, attachment.duration, attachment.kind
        )
        outcome = await self._call(
            self._service.give_file,
            handle,
            update.update_id,
            arrival,
            message_id=message.message_id,
        )
        await self._carry_out(message.chat_id, outcome, user.language_code)

    async def on_other(self, update: Update, context: Context) -> None:
        user, message = update.effective_user, update.effective_message
        if user is None or message is None:
            return
        outcome = await self._call(
            self._service.give,
            self._handle_of(user.id),
            update.update_id,
            Unsupported("sticker"),
        )
        await self._carry_out(message.chat_id, outcome, user.language_code)

    async def on_button(self, update: Update, context: Context) -> None:
        query, user = update.callback_query, update.effective_user
        if query is None or user is None:
            return
        message = query.message
        if not isinstance(message, Message):  # too old to be touched: nothing to show on it
            await query.answer()
            return
        if message.chat.type != "private":
            await query.answer()
            return
        button = cb.decode(query.data)
        handle = self._handle_of(user.id)
        if isinstance(button, cb.LanguageButton) and button.language in self._catalogs.offered:
            outcome = await self._call(
                self._service.choose_language,
                handle,
                update.update_id,
                button.language,
                message.message_id,
                message.chat_id,
            )
        elif isinstance(button, cb.StepButton) and button.op in (cb.PICK_EDIT, cb.SHOW_REVIEW):
            await self._review_navigation(update, message, handle, button)
            return
        elif isinstance(button, cb.StepButton):
            outcome = await self._call(
                self._service.give,
                handle,
                update.update_id,
                cb.input_for(button),
                button.visit,
                shown_id=message.message_id,
            )
        else:
            current = await self._call(self._service.current, handle)
            step = getattr(current, "step", None)
            outcome = Stale(getattr(current, "language", None), getattr(step, "visit", None))
        await self._carry_out_pressed(update, message, outcome, user.language_code)

    async def _review_navigation(
        self, update: Update, message: Message, handle: str, button: cb.StepButton
    ) -> None:
        query = update.callback_query
        assert query is not None
        current = await self._call(self._service.current, handle)
        if not (
            isinstance(current, Shown)
            and isinstance(current.step, engine.Review)
            and current.step.visit == button.visit
        ):
            await self._stale(query, message, current, query.from_user.language_code)
            return
        screens = self._screens(current, None)
        await query.answer()
        if button.op == cb.PICK_EDIT:
            await self._send.set_buttons(query, screens.edit_picker(current.step))
        else:
            review = screens.review(current.step, current.destination)
            await self._send.set_buttons(query, review[-1].buttons)

    async def _carry_out(
        self,
        chat_id: int,
        outcome: IntakeOutcome,
        language_code: str | None,
        *,
        intro: bool = False,
    ) -> None:
        """After a message: reply, then delete what the outcome says (the reply stays)."""
        screens = self._screens(outcome, language_code)
        if isinstance(outcome, Sent) and outcome.erase:
            await self._before_a_case_code(chat_id, outcome, outcome.erase[-1])
        shown = await self._send.send(chat_id, *screens.outcome(outcome, intro=intro))
        await self._wiper.wipe(chat_id, outcome.erase)
        if isinstance(outcome, Sent):
            self._on_sent()
            await self._remember_case_code(chat_id, outcome, shown)

    async def _carry_out_pressed(
        self,
        update: Update,
        message: Message,
        outcome: IntakeOutcome,
        language_code: str | None,
    ) -> None:
        """After a button: the pressed message shows the outcome (edited in place)."""
        query = update.callback_query
        assert query is not None
        screens = self._screens(outcome, language_code)
        match outcome:
            case Stale() | AlreadyApplied(step=None):
                await self._stale(query, message, outcome, language_code)
                return
            case Refused(error=error, params=params):
                await query.answer(screens.refusal_alert(error, params), show_alert=True)
                return
            case Shown(step=step, moved=False) if not isinstance(step, engine.Ended):
                await query.answer()
                await self._send.set_buttons(query, screens.step(step)[-1].buttons)
                return
        await query.answer()
        said = screens.outcome(outcome)
        if isinstance(outcome, Sent):
            await self._before_a_case_code(message.chat_id, outcome, message.message_id)
        if said and isinstance(outcome, Shown | Sent):
            first, *rest = said
            await self._send.replace(message, [first])
            shown = [message.message_id, *await self._send.send(message.chat_id, *rest)]
        else:  # anything else is news of its own, below the pressed message
            shown = await self._send.send(message.chat_id, *said)
        await self._wiper.wipe(message.chat_id, outcome.erase)
        if isinstance(outcome, Sent):
            self._on_sent()
            await self._remember_case_code(message.chat_id, outcome, shown)

    async def _before_a_case_code(self, chat_id: int, sent: Sent, newest: int) -> None:
        """Before a case code is shown, its deletion is already on record: the few message ids
        after the newest one go within the hour, so a bot that stops right after showing the code
        cannot leave it in the chat."""
        if sent.receipt is None or sent.receipt.case_code is None:
            return
        after = range(newest + 1, newest + 1 + erasure.REPLIES_PER_UPDATE)
        await self._wiper.schedule(chat_id, after, CODE_CONFIRMATION_LIFETIME)

    async def _remember_case_code(self, chat_id: int, sent: Sent, shown: list[int]) -> None:
        """The case code was the last message shown; record where, so it can go once typed
        back. (If the bot stops before this, the service's erasure policy still removes it.)"""
        if sent.receipt is None or sent.receipt.case_code is None or not shown:
            return
        await self._call(self._service.remember_code_message, self._handle_of(chat_id), shown[-1])
        # The waiting code lives in memory for an hour; the message goes then, whatever happens.
        await self._wiper.schedule(chat_id, [shown[-1]], CODE_CONFIRMATION_LIFETIME)

    async def _stale(
        self,
        query: CallbackQuery,
        message: Message,
        outcome: IntakeOutcome,
        language_code: str | None,
    ) -> None:
        """A button of a step the complainant has left: say so, and remove its buttons."""
        screens = self._screens(outcome, language_code)
        await query.answer(screens.stale_button())
        visit = getattr(outcome, "visit", None)
        if visit is None:
            step = getattr(outcome, "step", None)
            visit = getattr(step, "visit", None)
        if _shows_an_old_step(message, visit):
            await self._send.set_buttons(query, [])

    def _screens(self, outcome: object, language_code: str | None) -> Screens:
        language = getattr(outcome, "language", None) or self._catalogs.best_language(language_code)
        return Screens(
            self._form,
            self._catalogs.translator(language),
            demo=self._demo,
            helplines=self._helplines,
        )

    def _screens_for(self, language_code: str | None) -> Screens:
        return self._screens(None, language_code)


def _presets(context: Context) -> dict[str, str]:
    payload = (context.args or [""])[0].lower() if context.args else ""
    return {"e_country": payload.upper()} if _COUNTRY_PAYLOAD.match(payload) else {}


def _shows_an_old_step(message: Message, current_visit: int | None) -> bool:
    """True when the message's own buttons belong to a step the complainant has left."""
    for row in rows_of(message):
        for _label, data in row:
            decoded = cb.decode(data)
            if isinstance(decoded, cb.StepButton):
                return current_visit is None or decoded.visit != current_visit
    return False


def _escape(text: str) -> str:
    return html.escape(text, quote=False)
