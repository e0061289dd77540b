"""Pending chat wipes: messages the bot must still delete, kept until Telegram's window closes."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from storage.at_rest import AtRestSealer
from storage.schema import PendingWipeRow

_PURPOSE = "wipe"


@dataclass(frozen=True)
class PendingWipe:
    id: int
    chat_id: int
    message_ids: list[int]
    attempts: int


class SqlWipes:
    def __init__(self, session: Session, sealer: AtRestSealer) -> None:
        self._session = session
        self._sealer = sealer

    def add(
        self,
        chat_id: int,
        message_ids: list[int],
        now: dt.datetime,
        give_up_at: dt.datetime,
        due_at: dt.datetime | None = None,
    ) -> None:
        """Delete these messages from `due_at` (default: now) until `give_up_at`."""
        row = PendingWipeRow(sealed=b"", due_at=due_at or now, give_up_at=give_up_at, attempts=0)
        self._session.add(row)
        self._session.flush()
        payload = json.dumps({"chat": chat_id, "ids": message_ids}).encode()
        row.sealed = self._sealer.seal_at_rest(payload, purpose=_PURPOSE, row=str(row.id))

    def due(self, now: dt.datetime, limit: int = 20) -> list[PendingWipe]:
        self._session.execute(delete(PendingWipeRow).where(PendingWipeRow.give_up_at <= now))
        rows = self._session.scalars(
            select(PendingWipeRow)
            .where(PendingWipeRow.due_at <= now)
            .order_by(PendingWipeRow.id)
            .limit(limit)
        )
        found = []
        for row in rows:
            payload = json.loads(
                self._sealer.open_at_rest(row.sealed, purpose=_PURPOSE, row=str(row.id))
            )
            found.append(
                PendingWipe(row.id, int(payload["chat"]), list(payload["ids"]), row.attempts)
            )
        return found

    def done(self, wipe_id: int) -> None:
        self._session.execute(delete(PendingWipeRow).where(PendingWipeRow.id == wipe_id))

    def retry(self, wipe_id: int, due_at: dt.datetime) -> None:
        row = self._session.get(PendingWipeRow, wipe_id)
        if row is not None:
            row.due_at = due_at
            row.attempts += 1

    def count(self) -> int:
        return len(list(self._session.scalars(select(PendingWipeRow.id))))
