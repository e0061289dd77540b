"""Sealed cases and the delivery outbox."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import IO

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from storage.schema import (
    CaseContactRow,
    CaseMessageRow,
    CaseRow,
    OutboxRow,
    SealedChunkRow,
    SealedFileRow,
)
from storage.times import to_the_hour

# The at-rest purpose of a relay's payload: a staff message waiting for a complainant's chat.
RELAY_PURPOSE = "relay"
# A sealed file is stored and read back in pieces of this size, never whole.
SEALED_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class CaseRecord:
    reference: str
    coalition_id: str
    status: str
    urgency: str
    received_on: dt.date
    closed_on: dt.date | None
    assignee: str | None = None


@dataclass(frozen=True)
class Delivery:
    id: int
    reference: str
    number: int
    chat_id: int
    attempts: int
    urgency: str
    received_on: dt.date
    kind: str = "file"
    closed_on: dt.date | None = None
    payload: bytes | None = None


@dataclass(frozen=True)
class QueueState:
    chat_id: int
    waiting: int
    oldest_reference: str
    oldest_since: dt.datetime
    last_error: str | None


class SqlCases:
    def __init__(self, session: Session) -> None:
        self._session = session

    def exists(self, reference: str) -> bool:
        return self._session.get(CaseRow, reference) is not None

    def add(
        self,
        reference: str,
        coalition_id: str,
        urgency: str,
        received_on: dt.date,
        sealed: bytes | IO[bytes],
    ) -> None:
        self._session.add(
            CaseRow(
                reference=reference,
                coalition_id=coalition_id,
                status="new",
                urgency=urgency,
                received_on=received_on,
            )
        )
        self._session.flush()
        self.add_sealed_file(reference, 0, sealed)

    def add_sealed_file(self, reference: str, number: int, sealed: bytes | IO[bytes]) -> None:
        """Store a sealed file from bytes or from a stream, read one chunk at a time (Core
        statements: the session keeps no chunk once it is written)."""
        source = io.BytesIO(sealed) if isinstance(sealed, bytes) else sealed
        key = {"reference": reference, "number": number}
        self._session.execute(insert(SealedFileRow).values(**key, size=0, chunks=0))
        size = seq = 0
        while piece := source.read(SEALED_CHUNK):
            self._session.execute(insert(SealedChunkRow).values(**key, seq=seq, data=piece))
            size, seq = size + len(piece), seq + 1
        self._session.execute(
            update(SealedFileRow)
            .where(SealedFileRow.reference == reference, SealedFileRow.number == number)
            .values(size=size, chunks=seq)
        )

    def next_file_number(self, reference: str) -> int:
        query = select(func.max(SealedFileRow.number)).where(SealedFileRow.reference == reference)
        highest = self._session.scalar(query)
        return 0 if highest is None else highest + 1

    def sealed_file(self, reference: str, number: int) -> bytes | None:
        """The whole sealed file, for small ones (notes, answers) and simple callers; a case
        with large attachments is better copied out with `copy_sealed_file`."""
        if self.sealed_chunks(reference, number) is None:
            return None
        pieces = self._session.scalars(
            select(SealedChunkRow.data)
            .where(SealedChunkRow.reference == reference, SealedChunkRow.number == number)
            .order_by(SealedChunkRow.seq)
        )
        return b"".join(pieces)

    def sealed_chunks(self, reference: str, number: int) -> int | None:
        """How many chunks the sealed file has; None if there is no such file."""
        query = select(SealedFileRow.chunks).where(
            SealedFileRow.reference == reference, SealedFileRow.number == number
        )
        return self._session.execute(query).scalar_one_or_none()

    def sealed_chunk(self, reference: str, number: int, seq: int) -> bytes | None:
        query = select(SealedChunkRow.data).where(
            SealedChunkRow.reference == reference,
            SealedChunkRow.number == number,
            SealedChunkRow.seq == seq,
        )
        return self._session.execute(query).scalar_one_or_none()

    def copy_sealed_file(self, reference: str, number: int, target: IO[bytes]) -> bool:
        """Write the sealed file to `target`, one chunk in memory at a time; False if none."""
        chunks = self.sealed_chunks(reference, number)
        if chunks is None:
            return False
        for seq in range(chunks):
            piece = self.sealed_chunk(reference, number, seq)
            if piece is None:
                return False
            target.write(piece)
        return True

    def closed(self) -> list[tuple[CaseRecord, dt.date | None]]:
        """Closed cases, with the day their purge warning went out (if it has)."""
        rows = self._session.scalars(select(CaseRow).where(CaseRow.closed_on.is_not(None)))
        return [(_record(row), row.purge_warned_on) for row in rows]

    def mark_warned(self, reference: str, day: dt.date) -> None:
        self._session.execute(
            update(CaseRow).where(CaseRow.reference == reference).values(purge_warned_on=day)
        )

    def close(self, reference: str, day: dt.date) -> None:
        self._session.execute(
            update(CaseRow)
            .where(CaseRow.reference == reference)
            .values(status="closed", closed_on=day)
        )

    def set_status(self, reference: str, status: str, day: dt.date) -> None:
        """Closing starts the retention clock; reopening stops it and forgets any warning.
        Closing a closed case again changes nothing."""
        row = self._session.get(CaseRow, reference)
        if row is None or row.status == status:
            return
        if status == "closed":
            row.closed_on, row.purge_warned_on = day, None
        elif row.status == "closed":
            row.closed_on, row.purge_warned_on = None, None
        row.status = status
        self._session.flush()

    def assign(self, reference: str, assignee: str | None) -> None:
        self._session.execute(
            update(CaseRow).where(CaseRow.reference == reference).values(assignee=assignee)
        )

    def open_cases(self, coalition_ids: list[str]) -> list[CaseRecord]:
        query = (
            select(CaseRow)
            .where(CaseRow.coalition_id.in_(coalition_ids), CaseRow.status != "closed")
            .order_by(CaseRow.received_on, CaseRow.reference)
        )
        return [_record(row) for row in self._session.scalars(query)]

    def statuses(self, references: list[str]) -> list[CaseRecord]:
        query = select(CaseRow).where(CaseRow.reference.in_(references))
        return [_record(row) for row in self._session.scalars(query.order_by(CaseRow.reference))]

    def purge(self, reference: str) -> None:
        """Delete the case, its sealed files, its deliveries and its way back, for real."""
        self._session.execute(delete(CaseMessageRow).where(CaseMessageRow.reference == reference))
        self._session.execute(delete(CaseContactRow).where(CaseContactRow.reference == reference))
        self._session.execute(delete(OutboxRow).where(OutboxRow.reference == reference))
        self._session.execute(delete(SealedChunkRow).where(SealedChunkRow.reference == reference))
        self._session.execute(delete(SealedFileRow).where(SealedFileRow.reference == reference))
        self._session.execute(delete(CaseRow).where(CaseRow.reference == reference))

    def get(self, reference: str) -> CaseRecord | None:
        row = self._session.get(CaseRow, reference)
        return _record(row) if row is not None else None


class SqlOutbox:
    def __init__(self, session: Session) -> None:
        self._session = session

    def enqueue(
        self,
        reference: str,
        number: int,
        chat_id: int,
        now: dt.datetime,
        kind: str = "file",
        payload: bytes | None = None,
    ) -> None:
        """Queue a delivery. A relay to a complainant has chat_id 0: its chat is in the sealed
        payload, never in clear. Its times are kept to the hour: an exact time would join the
        case to whatever else the submission wrote at that microsecond."""
        hour = to_the_hour(now)
        self._session.add(
            OutboxRow(
                reference=reference,
                number=number,
                kind=kind,
                chat_id=chat_id,
                created_at=hour,
                due_at=hour,
                attempts=0,
                payload=payload,
            )
        )

    def forget_relays(self, references: list[str]) -> None:
        """Drop every message to these complainants (their way back was erased): undelivered
        ones, and the rows of delivered ones, whose exact times would still show when the
        coalition wrote to this chat."""
        if references:
            self._session.execute(
                delete(OutboxRow).where(
                    OutboxRow.reference.in_(references), OutboxRow.kind == "relay"
                )
            )

    def claim_due(self, now: dt.datetime, lease: dt.timedelta, limit: int = 10) -> list[Delivery]:
        """Take due deliveries for this worker. On PostgreSQL other workers skip the locked rows;
        on SQLite the write lock of BEGIN IMMEDIATE makes the claim exclusive."""
        query = (
            select(OutboxRow, CaseRow.urgency, CaseRow.received_on, CaseRow.closed_on)
            .join(CaseRow, CaseRow.reference == OutboxRow.reference)
            .where(OutboxRow.delivered_at.is_(None), OutboxRow.due_at <= now)
            .where((OutboxRow.claimed_until.is_(None)) | (OutboxRow.claimed_until < now))
            .order_by(OutboxRow.due_at, OutboxRow.id)
            .limit(limit)
            .with_for_update(skip_locked=True, of=OutboxRow)
        )
        claimed = []
        for row, urgency, received_on, closed_on in self._session.execute(query).all():
            row.claimed_until = now + lease
            row.attempts += 1
            claimed.append(
                Delivery(
                    row.id,
                    row.reference,
                    row.number,
                    row.chat_id,
                    row.attempts,
                    urgency,
                    received_on,
                    row.kind,
                    closed_on,
                    row.payload,
                )
            )
        self._session.flush()
        return claimed

    def delivered(self, delivery_id: int, now: dt.datetime) -> None:
        self._session.execute(
            update(OutboxRow)
            .where(OutboxRow.id == delivery_id)
            .values(
                delivered_at=to_the_hour(now), claimed_until=None, last_error=None, payload=None
            )
        )

    def retry_later(self, delivery_id: int, due_at: dt.datetime, error: str) -> None:
        self._session.execute(
            update(OutboxRow)
            .where(OutboxRow.id == delivery_id)
            .values(due_at=due_at, claimed_until=None, last_error=error[:64])
        )

    def waiting(self) -> list[QueueState]:
        rows = self._session.execute(
            select(OutboxRow)
            .where(OutboxRow.delivered_at.is_(None))
            .order_by(OutboxRow.created_at, OutboxRow.id)
        ).scalars()
        states: dict[int, QueueState] = {}
        for row in rows:
            state = states.get(row.chat_id)
            if state is None:
                states[row.chat_id] = QueueState(
                    row.chat_id, 1, row.reference, row.created_at, row.last_error
                )
            else:
                states[row.chat_id] = QueueState(
                    state.chat_id, state.waiting + 1, state.oldest_reference, state.oldest_since,
                    state.last_error or row.last_error,
                )  # fmt: skip
        return list(states.values())

    def deliveries_of(self, reference: str) -> int:
        query = select(func.count()).where(
            OutboxRow.reference == reference, OutboxRow.delivered_at.is_not(None)
        )
        return int(self._session.scalar(query) or 0)


def _record(row: CaseRow) -> CaseRecord:
    return CaseRecord(
        row.reference,
        row.coalition_id,
        row.status,
        row.urgency,
        row.received_on,
        row.closed_on,
        row.assignee,
    )
