"""Buttons about cases: on staff case cards (`s:<op>:<REF>`) and on relayed messages (`a:<REF>`).

The data names only the case reference and the action; who may press is checked on receipt.
"""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.cases.reference import normalise_reference
from bot.i18n import Translator

ACKNOWLEDGE = "ack"
ASSIGN = "mine"
REPLY = "reply"
STAFF_OPS = (ACKNOWLEDGE, ASSIGN, REPLY)


@dataclass(frozen=True)
class StaffButton:
    op: str
    reference: str


@dataclass(frozen=True)
class AnswerButton:
    reference: str


def decode_case_button(data: str | None) -> StaffButton | AnswerButton | None:
    parts = (data or "").split(":")
    if len(parts) == 3 and parts[0] == "s" and parts[1] in STAFF_OPS:
        reference = normalise_reference(parts[2])
        return StaffButton(parts[1], reference) if reference else None
    if len(parts) == 2 and parts[0] == "a":
        reference = normalise_reference(parts[1])
        return AnswerButton(reference) if reference else None
    return None


def card_buttons(t: Translator, reference: str) -> InlineKeyboardMarkup:
    def button(label: str, op: str) -> InlineKeyboardButton:
        return InlineKeyboardButton(label, callback_data=f"s:{op}:{reference}")

    return InlineKeyboardMarkup(
        [
            [
                button("👁 " + t.gettext("Acknowledge"), ACKNOWLEDGE),
                button("🙋 " + t.gettext("Assign to me"), ASSIGN),
            ],
            [button("↩️ " + t.gettext("Reply"), REPLY)],
        ]
    )


def answer_button(t: Translator, reference: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton("✍️ " + t.gettext("Answer"), callback_data=f"a:{reference}")]]
    )
