"""What the chat's background workers need from storage beyond the case ports: pending wipes.

The courier works over `bot.cases.ports.CaseUnitOfWork` (outbox and sealed files); the wiper
over the unit of work below. Storage implements both structurally.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Protocol

from bot.intake.ports import Transaction


class PendingWipe(Protocol):
    """Messages the bot must still delete from a chat, opened from their seal at rest."""

    @property
    def id(self) -> int: ...
    @property
    def chat_id(self) -> int: ...
    @property
    def message_ids(self) -> list[int]: ...
    @property
    def attempts(self) -> int: ...


class Wipes(Protocol):
    def add(
        self,
        chat_id: int,
        message_ids: list[int],
        now: dt.datetime,
        give_up_at: dt.datetime,
        due_at: dt.datetime | None = ...,
    ) -> None:
        """Delete these messages from `due_at` (default: now) until `give_up_at`."""
        ...

    def due(self, now: dt.datetime, limit: int = ...) -> Sequence[PendingWipe]:
        """Wipes due now, oldest first; those past `give_up_at` are dropped."""
        ...

    def done(self, wipe_id: int) -> None: ...

    def retry(self, wipe_id: int, due_at: dt.datetime) -> None: ...


class WipeUnitOfWork(Transaction, Protocol):
    @property
    def wipes(self) -> Wipes: ...
