"""A unit of work per Telegram update: one transaction around every repository it touches."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection
from contextvars import ContextVar
from types import TracebackType
from typing import Any, Self

from sqlalchemy import delete, insert, select, text, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, sessionmaker

from storage.at_rest import AtRestSealer
from storage.audit import SqlAudit
from storage.cases import SqlCases, SqlOutbox
from storage.contacts import SqlContacts
from storage.dead_letters import SqlDeadLetters
from storage.schema import DraftFileRow, DraftRow, ProcessedUpdate
from storage.times import to_the_hour
from storage.wipes import SqlWipes

_DRAFT = "draft"
# The advisory lock key of the chat whose update is being handled, set by the webhook front: the
# claim takes it (PostgreSQL) so that replicas handle one chat's updates one at a time.
chat_lock_key: ContextVar[int | None] = ContextVar("chat_lock_key", default=None)
_DRAFT_FILE = "draft-file"


class SqlDrafts:
    """Drafts sealed at rest, keyed by a pseudonymous handle.

    The hot path (a draft read, then written, once per update) uses Core statements: the ORM's
    identity map, change tracking and flush cost more than the two statements themselves."""

    def __init__(self, session: Session, sealer: AtRestSealer) -> None:
        self._session = session
        self._sealer = sealer
        # When the draft read in this unit of work expires (None: no row), so the put that
        # usually follows needs no second SELECT.
        self._expiry: dict[str, dt.datetime | None] = {}

    def get(self, handle: str, now: dt.datetime) -> bytes | None:
        statement = select(DraftRow.sealed, DraftRow.expires_at).where(DraftRow.handle == handle)
        row = self._session.execute(statement).first()
        self._expiry[handle] = None if row is None else row.expires_at
        if row is None or row.expires_at <= now:
            return None
        return self._sealer.open_at_rest(row.sealed, purpose=_DRAFT, row=handle)

    def put(self, handle: str, payload: bytes, now: dt.datetime, lifetime: dt.timedelta) -> None:
        sealed = self._sealer.seal_at_rest(payload, purpose=_DRAFT, row=handle)
        if handle in self._expiry:
            expires = self._expiry[handle]
        else:
            expiry = select(DraftRow.expires_at).where(DraftRow.handle == handle)
            expires = self._session.execute(expiry).scalar_one_or_none()
        if expires is not None and expires > now:
            change = update(DraftRow).where(DraftRow.handle == handle).values(sealed=sealed)
            self._session.execute(change)
            return
        if expires is not None:
            self.delete(handle)
        expires = now + lifetime
        row = {"handle": handle, "sealed": sealed, "created_at": now, "expires_at": expires}
        self._session.execute(insert(DraftRow).values(**row))
        self._expiry[handle] = expires

    def delete(self, handle: str) -> None:
        self._expiry[handle] = None
        self._session.execute(delete(DraftFileRow).where(DraftFileRow.handle == handle))
        self._session.execute(delete(DraftRow).where(DraftRow.handle == handle))
        self._session.flush()

    def add_file(self, handle: str, ref: str, data: bytes) -> None:
        sealed = self._sealer.seal_at_rest(data, purpose=_DRAFT_FILE, row=f"{handle}/{ref}")
        self._session.add(DraftFileRow(ref=ref, handle=handle, sealed=sealed))

    def keep_files(self, handle: str, refs: Collection[str]) -> int:
        query = delete(DraftFileRow).where(DraftFileRow.handle == handle)
        if refs:
            query = query.where(DraftFileRow.ref.not_in(list(refs)))
        return int(self._session.execute(query).rowcount or 0)  # type: ignore[attr-defined]

    def get_file(self, handle: str, ref: str) -> bytes | None:
        """One file's bytes. Read as a column, not an ORM row, so the session does not keep
        every sealed file of a draft in memory until the end of the unit of work."""
        sealed = self._session.execute(
            select(DraftFileRow.sealed).where(
                DraftFileRow.ref == ref, DraftFileRow.handle == handle
            )
        ).scalar_one_or_none()
        if sealed is None:
            return None
        return self._sealer.open_at_rest(sealed, purpose=_DRAFT_FILE, row=f"{handle}/{ref}")

    def expired(self, now: dt.datetime) -> list[bytes]:
        """The payloads of drafts past their lifetime, to clean up after them before purging."""
        rows = self._session.scalars(select(DraftRow).where(DraftRow.expires_at <= now))
        return [self._sealer.open_at_rest(r.sealed, purpose=_DRAFT, row=r.handle) for r in rows]

    def purge_expired(self, now: dt.datetime) -> int:
        expired = list(
            self._session.scalars(select(DraftRow.handle).where(DraftRow.expires_at <= now))
        )
        for handle in expired:
            self.delete(handle)
        return len(expired)


class SqlUpdates:
    def __init__(self, session: Session) -> None:
        self._session = session

    def claim(self, update_id: int, now: dt.datetime) -> bool:
        """Record the update as applied; False when it was applied before.

        On PostgreSQL with a chat lock key set, first take that chat's advisory lock for the
        rest of the transaction: another replica handling the same chat waits here until this
        transaction ends, then sees the claim (a redelivered update) or goes on in order."""
        key = chat_lock_key.get()
        if key is not None and self._session.get_bind().dialect.name == "postgresql":
            self._session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
        insert = _insert_for(self._session)(ProcessedUpdate).values(
            update_id=update_id, processed_at=to_the_hour(now)
        )
        claimed = insert.on_conflict_do_nothing().returning(ProcessedUpdate.update_id)
        return self._session.execute(claimed).first() is not None

    def forget_before(self, cutoff: dt.datetime) -> int:
        result = self._session.execute(
            delete(ProcessedUpdate).where(ProcessedUpdate.processed_at < cutoff)
        )
        return int(getattr(result, "rowcount", 0) or 0)


def _insert_for(session: Session) -> Callable[..., Any]:
    """INSERT with ON CONFLICT DO NOTHING, in the dialect of the session's database."""
    return postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


class SqlUnitOfWork:
    drafts: SqlDrafts
    updates: SqlUpdates
    cases: SqlCases
    outbox: SqlOutbox
    wipes: SqlWipes
    contacts: SqlContacts
    audit: SqlAudit
    dead_letters: SqlDeadLetters

    def __init__(self, sessions: sessionmaker[Session], sealer: AtRestSealer) -> None:
        self._sessions = sessions
        self._sealer = sealer

    def __enter__(self) -> Self:
        self._session = self._sessions()
        self._session.begin()
        self.drafts = SqlDrafts(self._session, self._sealer)
        self.updates = SqlUpdates(self._session)
        self.cases = SqlCases(self._session)
        self.outbox = SqlOutbox(self._session)
        self.wipes = SqlWipes(self._session, self._sealer)
        self.contacts = SqlContacts(self._session, self._sealer)
        self.audit = SqlAudit(self._session)
        self.dead_letters = SqlDeadLetters(self._session, self._sealer)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            if self._session.in_transaction():
                self._session.rollback()
        finally:
            self._session.close()

    def commit(self) -> None:
        self._session.commit()

    def seal_at_rest(self, plaintext: bytes, *, purpose: str, row: str) -> bytes:
        return self._sealer.seal_at_rest(plaintext, purpose=purpose, row=row)

    def open_at_rest(self, envelope: bytes, *, purpose: str, row: str) -> bytes:
        return self._sealer.open_at_rest(envelope, purpose=purpose, row=row)
