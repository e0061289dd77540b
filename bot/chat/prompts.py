"""Messages the bot asks to be answered by a reply, and how a reply finds its way back.

Two kinds: the staff prompt (after "Reply" on a case card: the reply is relayed to the
complainant) and the complainant's answer prompt (after "Answer": the reply is sealed for the
coalition). Each starts with its mark and the case reference; a reply counts only when it answers
a message of this very bot (never another bot's in a staff group).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from telegram import Message
from telegram.ext import filters

from bot.cases.reference import IN_TEXT


class PromptKind(StrEnum):
    STAFF_REPLY = "↩️"
    COMPLAINANT_ANSWER = "✍️"


@dataclass(frozen=True)
class Replied:
    """What a reply answers: a case, and the prompt if it was one."""

    reference: str
    prompt: PromptKind | None


def prompt_text(kind: PromptKind, reference: str, body_html: str) -> str:
    return f"{kind.value} {reference}\n{body_html}"


def replied_to(message: Message) -> Replied | None:
    """The case a message replies about, if it replies to this bot's message naming one."""
    replied = message.reply_to_message
    if replied is None or replied.from_user is None:
        return None
    if replied.from_user.id != message.get_bot().id:
        return None
    text = replied.text or replied.caption or ""
    found = IN_TEXT.search(text)
    if found is None:
        return None
    kind = next((k for k in PromptKind if text.startswith(f"{k.value} {found.group(0)}")), None)
    return Replied(found.group(0), kind)


class RepliesToPrompt(filters.MessageFilter):
    """A reply to one of this bot's prompts of the given kind."""

    def __init__(self, kind: PromptKind) -> None:
        super().__init__(name=f"RepliesToPrompt({kind.name})")
        self._kind = kind

    def filter(self, message: Message) -> bool:
        replied = replied_to(message)
        return replied is not None and replied.prompt == self._kind


class RepliesAboutACase(filters.MessageFilter):
    """A reply to any of this bot's messages that names a case (not a staff prompt)."""

    def filter(self, message: Message) -> bool:
        replied = replied_to(message)
        return replied is not None and replied.prompt != PromptKind.STAFF_REPLY
