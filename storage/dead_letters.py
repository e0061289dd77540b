"""Dead letters: updates whose handling failed deterministically, sealed at rest.

A dead letter takes the update out of the way (Telegram is told it was handled, so one bad
update cannot hold its chat for a day of redeliveries) without losing it: the update is sealed
at rest under the server key for a draft's lifetime, so an operator can see that it happened
(`complaint-bot status`: the error class and the hour, never content) and a developer with the
server key can replay it. The update id is the key, so two replicas failing on the same
redelivered update keep one row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from storage.at_rest import AtRestSealer
from storage.schema import DeadLetterRow

_PURPOSE = "dead-letter"


@dataclass(frozen=True)
class DeadLetterCount:
    error_class: str
    count: int
    newest: dt.datetime


class SqlDeadLetters:
    def __init__(self, session: Session, sealer: AtRestSealer) -> None:
        self._session = session
        self._sealer = sealer

    def add(
        self,
        update_id: int,
        kind: str,
        error_class: str,
        update: bytes,
        now: dt.datetime,
        keep_for: dt.timedelta,
    ) -> bool:
        """Keep the update sealed; False if it was dead-lettered before (by any replica)."""
        sealed = self._sealer.seal_at_rest(update, purpose=_PURPOSE, row=str(update_id))
        dialect = self._session.get_bind().dialect.name
        insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
        statement = (
            insert(DeadLetterRow)
            .values(
                update_id=update_id,
                kind=kind[:24],
                error_class=error_class[:64],
                failed_at=now.replace(minute=0, second=0, microsecond=0),
                expires_at=now + keep_for,
                sealed=sealed,
            )
            .on_conflict_do_nothing()
            .returning(DeadLetterRow.update_id)
        )
        return self._session.execute(statement).first() is not None

    def open(self, update_id: int) -> bytes | None:
        row = self._session.get(DeadLetterRow, update_id)
        if row is None or row.sealed is None:
            return None
        return self._sealer.open_at_rest(row.sealed, purpose=_PURPOSE, row=str(update_id))

    def counts(self) -> list[DeadLetterCount]:
        rows = self._session.execute(
            select(
                DeadLetterRow.error_class,
                func.count(),
                func.max(DeadLetterRow.failed_at),
            ).group_by(DeadLetterRow.error_class)
        )
        found = []
        for error_class, count, newest in rows:
            if newest.tzinfo is None:  # SQLite aggregates come back naive
                newest = newest.replace(tzinfo=dt.UTC)
            found.append(DeadLetterCount(error_class, int(count), newest))
        return sorted(found, key=lambda c: c.newest, reverse=True)

    def tidy(self, now: dt.datetime, forget_before: dt.datetime) -> int:
        """Drop the sealed updates past their time, and rows older than `forget_before`."""
        self._session.execute(
            update(DeadLetterRow).where(DeadLetterRow.expires_at <= now).values(sealed=None)
        )
        result = self._session.execute(
            delete(DeadLetterRow).where(DeadLetterRow.failed_at < forget_before)
        )
        return int(getattr(result, "rowcount", 0) or 0)
