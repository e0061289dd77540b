"""Telegram handlers for complainants: turn an update into one service call, then reply.

Every service call runs in a worker thread (it is one database transaction); replies are sent
only after it has committed.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from telegram import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    TypeHandler,
    filters,
)
from telegram.ext import MessageHandler as OnMessage

from bot.cases.complainants import ComplainantCases
from bot.cases.reference import normalise_reference
from bot.cases.withdrawal import Withdrawals
from bot.chat import callbacks as cb
from bot.chat.attachments import Attachment, AttachmentRefused, attachment_of
from bot.chat.database_executor import in_database
from bot.chat.flood import FloodGuard
from bot.chat.screens import Row, Screen, Screens
from bot.chat.texts import choice_matcher, error_text
from bot.chat.wiper import Wiper, conversation
from bot.i18n import Catalogs, Translator
from bot.intake import engine
from bot.intake.form import Form
from bot.intake.inputs import Unsupported
from bot.intake.ports import Receipt
from bot.intake.service import (
    AlreadyApplied,
    Arrival,
    CodeAwaited,
    CodeConfirmed,
    Discarded,
    IntakeService,
    NoDraft,
    Outcome,
    Refused,
    Sent,
    Shown,
    Stale,
)

log = logging.getLogger(__name__)
P = ParamSpec("P")
R = TypeVar("R")
Context = ContextTypes.DEFAULT_TYPE
# Sent explicitly on each call rather than through PTB's Defaults, which would also add them to
# methods that have no such parameters (editMessageReplyMarkup, editMessageText).
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
_COUNTRY_PAYLOAD = re.compile(r"^[a-z]{2}$")


class IntakeHandlers:
    def __init__(
        self,
        service: IntakeService,
        catalogs: Catalogs,
        handle_of: Callable[[int], str],
        wiper: Wiper,
        on_sent: Callable[[], None] | None = None,
        *,
        demo: bool = False,
        flood: FloodGuard | None = None,
        withdrawals: Withdrawals | None = None,
        complainants: ComplainantCases | None = None,
    ) -> None:
        self._complainants = complainants
        self._withdrawals = withdrawals
        self.service = service
        self._demo = demo
        self._flood = flood or FloodGuard()
        self._wiper = wiper
        self._on_sent = on_sent or (lambda: None)
        self.form: Form = service.form
        self.catalogs = catalogs
        self.handle_of = handle_of
        self._match_choice = choice_matcher(self.form, catalogs)

    def register(self, application: Application) -> None:  # type: ignore[type-arg]
        application.add_handler(TypeHandler(Update, self.on_any_update), group=-1)
        private = filters.ChatType.PRIVATE
        commands = {
            "start": self.on_start,
            "help": self.on_help,
            "cancel": self.on_discard,
            "exit": self.on_exit,
            "delete": self.on_delete,
            "language": self.on_language,
        }
        for name, callback in commands.items():
            application.add_handler(CommandHandler(name, callback, filters=private))
        application.add_handler(CallbackQueryHandler(self.on_button))
        application.add_handler(OnMessage(private & filters.COMMAND, self.on_help))
        application.add_handler(OnMessage(private & filters.TEXT, self.on_text))
        files = filters.PHOTO | filters.Document.ALL | filters.VOICE | filters.AUDIO | filters.VIDEO
        application.add_handler(OnMessage(private & files, self.on_file))
        application.add_handler(OnMessage(private, self.on_other))

    async def on_any_update(self, update: Update, context: Context) -> None:
        """Flood control before anything else: a flood is dropped cheaply, with one warning."""
        user = update.effective_user
        if user is None:
            return
        verdict = self._flood.check(user.id)
        if verdict.allowed:
            return
        if verdict.warn:
            t = self.catalogs.translator_for(user.language_code)
            text = t.gettext("You are sending messages very fast. Please wait a few seconds.")
            if update.callback_query is not None:
                await update.callback_query.answer(text)
            elif update.effective_message is not None:
                await self._send(update.effective_message, Screen(_escape(text)))
        elif update.callback_query is not None:
            await update.callback_query.answer()
        raise ApplicationHandlerStop

    async def on_start(self, update: Update, context: Context) -> None:
        user, message = update.effective_user, update.effective_message
        if user is None or message is None:
            return
        language = self.catalogs.best_language(user.language_code)
        outcome = await self._call(
            self.service.begin,
            self._handle(update),
            update.update_id,
            language,
            _presets(context),
            message.message_id,
            message.chat_id,
        )
        await self._reply(message, outcome, intro=True)

    async def on_help(self, update: Update, context: Context) -> None:
        message = update.effective_message
        if message is not None:
            t = await self._translator_for(update)
            await self._send(message, Screen(Screens(self.form, t).help()))

    async def on_discard(self, update: Update, context: Context) -> None:
        message = update.effective_message
        if message is None:
            return
        outcome = await self._call(self.service.discard, self._handle(update), update.update_id)
        await self._reply(message, outcome)

    async def on_exit(self, update: Update, context: Context) -> None:
        """Emergency exit: discard the draft and delete the whole conversation, both sides."""
        message = update.effective_message
        if message is None:
            return
        outcome = await self._call(self.service.discard, self._handle(update), update.update_id)
        first = outcome.first_message_id if isinstance(outcome, Discarded) else None
        await self._wiper.wipe(message.chat_id, conversation(first, message.message_id))

    async def on_delete(self, update: Update, context: Context) -> None:
        """Withdraw: discard any draft and wipe the chat; with a reference, tell its coalition."""
        message = update.effective_message
        if message is None or self._withdrawals is None:
            return
        handle = self._handle(update)
        language = await self._language_of(update)
        reference = normalise_reference(context.args[0]) if context.args else None
        if self._complainants is not None:
            await self._call(self._complainants.forget_account, handle, reference)
        if reference is not None:
            await self._call(self._withdrawals.withdraw, update.update_id, reference)
        else:
            outcome = await self._call(self.service.discard, handle, update.update_id)
            first = outcome.first_message_id if isinstance(outcome, Discarded) else None
            await self._wiper.wipe(message.chat_id, conversation(first, message.message_id - 1))
        t = self.catalogs.translator(language)
        if reference is not None:
            text = t.gettext(
                "If this reference exists, its coalition has been told that you withdraw your "
                "consent. They decide what happens to the report, which this bot cannot read."
            )
        else:
            text = t.gettext(
                "Your unfinished answers are deleted, and so is every link the bot kept between "
                "your Telegram account and reports you sent: coalitions can no longer write to "
                "you here. To withdraw a sent report, send /delete with its reference, for "
                "example /delete KZ-7G4M-Q2XD."
            )
        await self._send(message, Screen(_escape(text)))
        await self._wiper.wipe(message.chat_id, [message.message_id])

    async def _language_of(self, update: Update) -> str:
        outcome = await self._call(self.service.current, self._handle(update))
        if isinstance(outcome, Shown):
            return outcome.language
        user = update.effective_user
        return self.catalogs.best_language(user.language_code if user else None)

    async def on_language(self, update: Update, context: Context) -> None:
        message = update.effective_message
        if message is None:
            return
        t = await self._translator_for(update)
        await self._send(message, Screens(self.form, t).language_picker(self.catalogs.offered))

    async def on_text(self, update: Update, context: Context) -> None:
        message = update.effective_message
        if message is None or message.text is None:
            return
        outcome = await self._call(
            self.service.give_text,
            self._handle(update),
            update.update_id,
            message.text,
            self._match_choice,
        )
        await self._reply(message, outcome)
        await self._forget_answer(message, outcome)

    async def on_file(self, update: Update, context: Context) -> None:
        message = update.effective_message
        if message is None:
            return
        handle = self._handle(update)
        current = await self._call(self.service.current, handle)
        try:
            attachment = attachment_of(message)
        except AttachmentRefused as refusal:
            await self._reply(message, _refusal(current, refusal.reason, refusal.params))
            return
        if not _accepts(current, attachment):
            outcome = await self._call(
                self.service.give, handle, update.update_id, Unsupported(attachment.kind)
            )
            await self._reply(message, outcome)
            return
        telegram_file = await context.bot.get_file(attachment.file_id)
        data = bytes(await telegram_file.download_as_bytearray())
        arrival = Arrival(data, attachment.name, attachment.mime, attachment.duration)
        outcome = await self._call(self.service.give_file, handle, update.update_id, arrival)
        await self._reply(message, outcome)
        await self._forget_answer(message, outcome)

    async def on_other(self, update: Update, context: Context) -> None:
        message = update.effective_message
        if message is None:
            return
        outcome = await self._call(
            self.service.give, self._handle(update), update.update_id, Unsupported("sticker")
        )
        await self._reply(message, outcome)

    async def on_button(self, update: Update, context: Context) -> None:
        query = update.callback_query
        if query is None or query.message is None or update.effective_chat is None:
            return
        if update.effective_chat.type != "private":
            await query.answer()
            return
        button = cb.decode(query.data)
        handle = self._handle(update)
        if isinstance(button, cb.LanguageButton) and button.language in self.catalogs.offered:
            outcome = await self._call(
                self.service.set_language, handle, update.update_id, button.language
            )
            if isinstance(outcome, NoDraft):
                outcome = await self._call(
                    self.service.begin,
                    handle,
                    update.update_id,
                    button.language,
                    {},
                    query.message.message_id,
                    query.message.chat.id,
                )
            await self._answer_button(query, outcome)
        elif isinstance(button, cb.StepButton) and button.op in (cb.PICK_EDIT, cb.SHOW_REVIEW):
            await self._review_navigation(query, handle, button)
        elif isinstance(button, cb.StepButton):
            given = cb.input_for(button)
            outcome = await self._call(
                self.service.give, handle, update.update_id, given, button.visit
            )
            await self._answer_button(query, outcome)
        else:
            await self._stale(query, None)

    async def _review_navigation(
        self, query: CallbackQuery, handle: str, button: cb.StepButton
    ) -> None:
        outcome = await self._call(self.service.current, handle)
        if not (
            isinstance(outcome, Shown)
            and isinstance(outcome.step, engine.Review)
            and outcome.step.visit == button.visit
        ):
            await self._stale(query, outcome)
            return
        screens = self._screens(outcome.language)
        await query.answer()
        if button.op == cb.PICK_EDIT:
            await _edit_buttons(query, screens.edit_picker(outcome.step))
        else:
            review = screens.review(outcome.step, outcome.destination)
            await _edit_buttons(query, review[-1].buttons)

    async def _answer_button(self, query: CallbackQuery, outcome: Outcome) -> None:
        message = query.message
        assert isinstance(message, Message)
        match outcome:
            case Shown(step=step, language=language, moved=False):
                await query.answer()
                await _edit_buttons(query, self._screens(language).step(step)[-1].buttons)
            case Shown(step=engine.Ended(), language=language):
                await query.answer()
                await self._replace(message, self._screens(language).step(outcome.step))
                await self._end(message.chat_id, outcome, message.message_id)
            case Shown(step=step, language=language, destination=destination):
                await query.answer()
                shown = self._screens(language).step(step, destination=destination)
                await self._replace(message, shown)
            case Sent(receipt=receipt, language=language, first_message_id=first):
                self._on_sent()
                await query.answer()
                await self._replace(message, [self._screens(language).sent(receipt)])
                await self._wiper.wipe(message.chat_id, conversation(first, message.message_id - 1))
                await self._show_case_code(message, receipt, language)
            case Refused(error=error, params=params, language=language):
                t = self.catalogs.translator(language)
                await query.answer(error_text(t, error, params)[:200], show_alert=True)
            case Stale() | AlreadyApplied(step=None):
                await self._stale(query, outcome)
            case _:
                await query.answer()
                await self._reply(message, outcome)

    async def _forget_answer(self, message: Message, outcome: Outcome) -> None:
        """Delete the complainant's message once its answer is stored (or it was already)."""
        if isinstance(outcome, Shown | Sent | AlreadyApplied | CodeAwaited | CodeConfirmed):
            await self._wiper.wipe(message.chat_id, [message.message_id])
        if isinstance(outcome, Shown) and isinstance(outcome.step, engine.Ended):
            await self._end(message.chat_id, outcome, message.message_id)

    async def _end(self, chat_id: int, outcome: Shown, last_message_id: int) -> None:
        """After `exit now`, the whole conversation goes; after declining, all but the answer."""
        assert isinstance(outcome.step, engine.Ended)
        if outcome.step.reason == "exit":
            await self._wiper.wipe(chat_id, conversation(outcome.first_message_id, last_message_id))
        else:
            await self._wiper.wipe(
                chat_id, conversation(outcome.first_message_id, last_message_id - 1)
            )

    def _screens(self, language: str) -> Screens:
        return Screens(self.form, self.catalogs.translator(language), demo=self._demo)

    async def _stale(self, query: CallbackQuery, outcome: Outcome | None) -> None:
        language = getattr(outcome, "language", None) or self.catalogs.best_language(
            query.from_user.language_code
        )
        t = self.catalogs.translator(language)
        await query.answer(t.gettext("This button is no longer active."))
        visit = getattr(outcome, "visit", None)
        if visit is None:
            current = await self._call(self.service.current, self.handle_of(query.from_user.id))
            visit = getattr(getattr(current, "step", None), "visit", None)
        if _shows_an_old_step(query.message, visit):
            await _edit_buttons(query, [])

    async def _reply(self, message: Message, outcome: Outcome, *, intro: bool = False) -> None:
        match outcome:
            case Shown(step=engine.Ended(reason="exit")):
                return  # the whole conversation is about to be deleted: say nothing
            case Shown(step=step, language=language, resumed=resumed, destination=destination):
                screens = self._screens(language)
                shown = screens.step(
                    step, intro=intro and not resumed, resumed=resumed, destination=destination
                )
                await self._send(message, *shown)
            case Sent(receipt=receipt, language=language):
                self._on_sent()
                await self._send(message, self._screens(language).sent(receipt))
                await self._show_case_code(message, receipt, language)
            case CodeAwaited(language=language, mismatch=mismatch):
                t = self.catalogs.translator(language)
                text = (
                    t.gettext(
                        "That does not match. Type the last four characters of the case code "
                        "shown above."
                    )
                    if mismatch
                    else t.gettext("Type the last four characters of the case code shown above.")
                )
                await self._send(message, Screen(_escape(text)))
            case CodeConfirmed(language=language, code_message_id=code_message_id):
                t = self.catalogs.translator(language)
                await self._wiper.wipe(message.chat_id, [code_message_id or 0])
                text = t.gettext(
                    "Thank you. The message with the code is deleted. To read the coalition's "
                    "answers, send /check followed by your code."
                )
                await self._send(message, Screen(_escape(text)))
            case AlreadyApplied(step=step, language=language) if step is not None and language:
                screens = self._screens(language)
                await self._send(message, *screens.step(step))
            case Refused(error=error, params=params, step=step, language=language):
                screens = self._screens(language)
                await self._send(message, *screens.refused(step, error, params))
            case Discarded(language=language):
                t = await self._translator_for_message(message, language)
                text = t.gettext(
                    "Your unfinished report has been deleted. Send /start to begin again."
                )
                await self._send(message, Screen(text))
            case NoDraft() | AlreadyApplied() | Stale():
                t = await self._translator_for_message(message, None)
                text = t.gettext("You have no report in progress. Send /start to begin.")
                text += "\n" + t.gettext("Unfinished reports are deleted after 48 hours.")
                await self._send(message, Screen(text))

    async def _show_case_code(
        self, message: Message, receipt: Receipt | None, language: str
    ) -> None:
        """Show the case code once; it goes from the chat when its end is typed back."""
        if receipt is None or receipt.case_code is None:
            return
        t = self.catalogs.translator(language)
        lines = [
            "🔑 " + _escape(t.gettext("Your case code:")),
            f"<code>{receipt.case_code}</code>",
            _escape(
                t.gettext(
                    "Write it down somewhere safe, not on this phone. With it, and only with it, "
                    "you can read the coalition's answers: send /check and the code. It is shown "
                    "only once and cannot be recovered."
                )
            ),
            _escape(t.gettext("To confirm you have it, type its last four characters.")),
        ]
        shown = await message.get_bot().send_message(
            message.chat_id,
            "\n".join(lines),
            parse_mode=ParseMode.HTML,
            link_preview_options=NO_PREVIEW,
            protect_content=True,
        )
        handle = self.handle_of(message.chat_id)
        await self._call(self.service.remember_code_message, handle, shown.message_id)

    async def _send(self, message: Message, *screens: Screen) -> None:
        for screen in screens:
            await message.get_bot().send_message(
                message.chat_id,
                screen.text,
                parse_mode=ParseMode.HTML,
                link_preview_options=NO_PREVIEW,
                reply_markup=_markup(screen.buttons),
                protect_content=True,
            )

    async def _replace(self, message: Message, screens: list[Screen]) -> None:
        first, *rest = screens
        try:
            await message.edit_text(
                first.text,
                parse_mode=ParseMode.HTML,
                link_preview_options=NO_PREVIEW,
                reply_markup=_markup(first.buttons),
            )
        except BadRequest as error:
            if "not modified" not in str(error):
                await self._send(message, first)
        await self._send(message, *rest)

    async def _translator_for(self, update: Update) -> Translator:
        outcome = await self._call(self.service.current, self._handle(update))
        if isinstance(outcome, Shown):
            return self.catalogs.translator(outcome.language)
        user = update.effective_user
        return self.catalogs.translator_for(user.language_code if user else None)

    async def _translator_for_message(self, message: Message, language: str | None) -> Translator:
        if language is None:
            user = message.from_user
            language = self.catalogs.best_language(user.language_code if user else None)
        return self.catalogs.translator(language)

    def _handle(self, update: Update) -> str:
        user = update.effective_user
        if user is None:
            raise ValueError("update without a user")
        return self.handle_of(user.id)

    async def _call(self, function: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        return await in_database(function, *args, **kwargs)


def _presets(context: Context) -> dict[str, str]:
    payload = (context.args or [""])[0].lower() if context.args else ""
    return {"e_country": payload.upper()} if _COUNTRY_PAYLOAD.match(payload) else {}


def _accepts(current: Outcome, attachment: Attachment) -> bool:
    if not isinstance(current, Shown) or not isinstance(current.step, engine.Prompt):
        return False
    question = current.step.question
    if attachment.kind == "voice":
        return question.type == "files" or (question.type == "text" and question.voice)
    return question.type == "files"


def _refusal(current: Outcome, reason: str, params: dict[str, int | str]) -> Outcome:
    if isinstance(current, Shown):
        return Refused(reason, params, current.step, current.language)
    return current


def _markup(rows: list[Row]) -> InlineKeyboardMarkup | None:
    if not rows:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows]
    )


def _shows_an_old_step(message: object, current_visit: int | None) -> bool:
    """True when the message's own buttons belong to a step the complainant has left."""
    markup = getattr(message, "reply_markup", None)
    if not isinstance(markup, InlineKeyboardMarkup):
        return False
    for row in markup.inline_keyboard:
        for button in row:
            decoded = cb.decode(
                button.callback_data if isinstance(button.callback_data, str) else None
            )
            if isinstance(decoded, cb.StepButton):
                return current_visit is None or decoded.visit != current_visit
    return False


async def _edit_buttons(query: CallbackQuery, rows: list[Row]) -> None:
    try:
        await query.edit_message_reply_markup(_markup(rows))
    except BadRequest as error:
        if "not modified" not in str(error):
            raise


def _escape(text: str) -> str:
    return html.escape(text, quote=False)
