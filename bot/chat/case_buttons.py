"""The buttons about cases: on staff case cards, and under a coalition's message to a
complainant. Their data comes from the one codec (bot.chat.callbacks)."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from bot.chat.callbacks import AnswerButton, StaffButton, StaffOp
from bot.chat.screens import Row
from bot.chat.senders import markup
from bot.i18n import Translator


def card_rows(t: Translator, reference: str) -> list[Row]:
    def button(label: str, op: StaffOp) -> tuple[str, str]:
        return label, StaffButton(op, reference).encode()

    # One a row: in most languages two of these do not fit side by side on a phone.
    return [
        [button("👁 " + t.gettext("Acknowledge"), StaffOp.ACKNOWLEDGE)],
        [button("🙋 " + t.gettext("Assign to me"), StaffOp.ASSIGN)],
        [button("↩️ " + t.gettext("Reply"), StaffOp.REPLY)],
    ]


def desk_link(t: Translator, link: str) -> tuple[str, str]:
    """The staff card's link to open the case in the desk Mini App (a URL button: `web_app`
    buttons work only in private chats, and the card goes to a staff group)."""
    return "🔓 " + t.gettext("Open in the desk"), link


def answer_rows(t: Translator, reference: str) -> list[Row]:
    return [[("✍️ " + t.gettext("Answer"), AnswerButton(reference).encode())]]


def card_buttons(t: Translator, reference: str) -> InlineKeyboardMarkup | None:
    return markup(card_rows(t, reference))


def answer_button(t: Translator, reference: str) -> InlineKeyboardMarkup | None:
    return markup(answer_rows(t, reference))
