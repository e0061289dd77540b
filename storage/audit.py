"""The audit log: append-only and hash-chained, so a changed or removed entry shows.

Each entry's digest is SHA-256 over the previous digest and the entry's own fields; the first
entry chains to a fixed origin. Appends are serialised (an advisory lock on PostgreSQL, the write
lock of BEGIN IMMEDIATE on SQLite), so the chain has no forks.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.schema import AuditRow

ORIGIN = "0" * 64
_LOCK_ID = 0x0A0D17  # any constant shared by every writer of this database


class AuditFields(Protocol):
    """What an entry says, from whoever writes it (the bot has its own entry type)."""

    @property
    def actor(self) -> str: ...
    @property
    def action(self) -> str: ...
    @property
    def reference(self) -> str | None: ...
    @property
    def coalition_id(self) -> str | None: ...
    @property
    def outcome(self) -> str: ...


@dataclass(frozen=True)
class AuditEntry:
    actor: str
    action: str
    reference: str | None
    coalition_id: str | None
    outcome: str


@dataclass(frozen=True)
class AuditRecord:
    seq: int
    at: dt.datetime
    actor: str
    action: str
    reference: str | None
    coalition_id: str | None
    outcome: str
    previous: str
    digest: str


@dataclass(frozen=True)
class ChainCheck:
    entries: int
    problem: str | None

    @property
    def intact(self) -> bool:
        return self.problem is None


def digest_of(previous: str, seq: int, at: dt.datetime, entry: AuditFields) -> str:
    fields = [
        seq,
        at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        entry.actor,
        entry.action,
        entry.reference,
        entry.coalition_id,
        entry.outcome,
    ]
    canonical = json.dumps(fields, ensure_ascii=True, separators=(",", ":"))
    return hashlib.sha256(f"{previous}|{canonical}".encode()).hexdigest()


class SqlAudit:
    def __init__(self, session: Session) -> None:
        self._session = session

    def append(self, entry: AuditFields, now: dt.datetime) -> int:
        if self._session.get_bind().dialect.name == "postgresql":
            self._session.execute(select(func.pg_advisory_xact_lock(_LOCK_ID)))
        last = self._session.scalar(select(AuditRow).order_by(AuditRow.seq.desc()).limit(1))
        seq = 1 if last is None else last.seq + 1
        previous = ORIGIN if last is None else last.digest
        at = now.astimezone(dt.UTC)
        self._session.add(
            AuditRow(
                seq=seq,
                at=at,
                actor=entry.actor,
                action=entry.action,
                reference=entry.reference,
                coalition_id=entry.coalition_id,
                outcome=entry.outcome,
                previous=previous,
                digest=digest_of(previous, seq, at, entry),
            )
        )
        self._session.flush()
        return seq

    def entries(self) -> list[AuditRecord]:
        rows = self._session.scalars(select(AuditRow).order_by(AuditRow.seq))
        return [
            AuditRecord(
                r.seq, r.at, r.actor, r.action, r.reference, r.coalition_id, r.outcome,
                r.previous, r.digest,
            )
            for r in rows
        ]  # fmt: skip


def verify_chain(rows: Sequence[AuditRecord], head: str | None = None) -> ChainCheck:
    """Recompute the chain: an edited entry breaks its digest, a removed one breaks the links.

    Removing the newest entries leaves a shorter valid chain; pass the last digest seen elsewhere
    (`head`, e.g. printed by an earlier verification) to detect that too.
    """
    previous = ORIGIN
    for expected_seq, row in enumerate(rows, start=1):
        if row.seq != expected_seq:
            return ChainCheck(len(rows), f"entry {expected_seq} is missing")
        if row.previous != previous:
            return ChainCheck(len(rows), f"entry {row.seq} does not follow entry {row.seq - 1}")
        entry = AuditEntry(row.actor, row.action, row.reference, row.coalition_id, row.outcome)
        if digest_of(previous, row.seq, row.at, entry) != row.digest:
            return ChainCheck(len(rows), f"entry {row.seq} was changed")
        previous = row.digest
    if head is not None and head not in {r.digest for r in rows}:
        return ChainCheck(len(rows), "the head given is not in the log: entries were removed")
    return ChainCheck(len(rows), None)
