"""What every adapter facing complainants works with: one value instead of six arguments."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.chat.context import DatabaseCalls
from bot.chat.senders import ComplainantSender
from bot.chat.wiper import Wiper
from bot.i18n import Catalogs


@dataclass(frozen=True)
class ComplainantKit:
    catalogs: Catalogs
    handle_of: Callable[[int], str]  # the keyed pseudonym of a Telegram account
    sender: ComplainantSender
    wiper: Wiper
    calls: DatabaseCalls  # the database worker
    on_queued: Callable[[], None]  # wakes the courier
