"""Tables. Nothing here holds a Telegram id, a name or an answer in clear."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import (
    BigInteger,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[dt.datetime]):
    """Aware UTC datetimes on every backend (SQLite would otherwise hand back naive ones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        result: dt.datetime = value
        return result.replace(tzinfo=dt.UTC) if result.tzinfo is None else result


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {dt.datetime: UtcDateTime()}


class ProcessedUpdate(Base):
    """Telegram update ids already applied, so that a redelivered update is not applied twice."""

    __tablename__ = "processed_updates"
    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    processed_at: Mapped[dt.datetime] = mapped_column(index=True)


class DraftRow(Base):
    __tablename__ = "drafts"
    handle: Mapped[str] = mapped_column(String(64), primary_key=True)
    sealed: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime] = mapped_column(index=True)


class DraftFileRow(Base):
    __tablename__ = "draft_files"
    ref: Mapped[str] = mapped_column(String(32), primary_key=True)
    handle: Mapped[str] = mapped_column(
        String(64), ForeignKey("drafts.handle", ondelete="CASCADE"), index=True
    )
    sealed: Mapped[bytes] = mapped_column(LargeBinary)


class CaseRow(Base):
    """The least clear metadata the workflow needs; the case itself is only in SealedFileRow."""

    __tablename__ = "cases"
    reference: Mapped[str] = mapped_column(String(16), primary_key=True)
    coalition_id: Mapped[str] = mapped_column(String(32), index=True)
    status: Mapped[str] = mapped_column(String(24), default="new")
    urgency: Mapped[str] = mapped_column(String(8))
    received_on: Mapped[dt.date] = mapped_column(Date)
    closed_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    purge_warned_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    assignee: Mapped[str | None] = mapped_column(String(32), default=None)


class SealedFileRow(Base):
    """An age file sealed to the coalition's staff: number 0 is the case, then follow-ups.

    Its bytes are in SealedChunkRow, in order: a case with large attachments is never held
    whole in memory, neither when it is stored nor when it is read back to be sent."""

    __tablename__ = "sealed_files"
    reference: Mapped[str] = mapped_column(
        String(16), ForeignKey("cases.reference", ondelete="CASCADE"), primary_key=True
    )
    number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    size: Mapped[int] = mapped_column(BigInteger)
    chunks: Mapped[int] = mapped_column(Integer)


class SealedChunkRow(Base):
    """One piece (up to 1 MiB) of a sealed file's age ciphertext; `seq` counts from 0. Tied to
    the case rather than to its SealedFileRow, so that SQLite's table rebuilds in migrations
    of sealed_files never cascade into the chunks."""

    __tablename__ = "sealed_chunks"
    reference: Mapped[str] = mapped_column(
        String(16), ForeignKey("cases.reference", ondelete="CASCADE"), primary_key=True
    )
    number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class OutboxRow(Base):
    """A sealed file waiting to reach a staff chat; delivered_at is set once Telegram took it."""

    __tablename__ = "outbox"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    reference: Mapped[str] = mapped_column(
        String(16), ForeignKey("cases.reference", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16), default="file", server_default="file")
    chat_id: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime]
    due_at: Mapped[dt.datetime] = mapped_column(index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_until: Mapped[dt.datetime | None] = mapped_column(default=None)
    delivered_at: Mapped[dt.datetime | None] = mapped_column(default=None, index=True)
    last_error: Mapped[str | None] = mapped_column(String(64), default=None)
    payload: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)


class PendingWipeRow(Base):
    """Chat messages still to delete after a failed attempt; chat and ids sealed at rest."""

    __tablename__ = "pending_wipes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sealed: Mapped[bytes] = mapped_column(LargeBinary)
    due_at: Mapped[dt.datetime] = mapped_column(index=True)
    give_up_at: Mapped[dt.datetime]
    attempts: Mapped[int] = mapped_column(Integer, default=0)


class CaseContactRow(Base):
    """How the complainant of a case asked to be reached, if through the bot at all.

    `sealed` holds the chat id (notification way), the code word and the language, at rest.
    `handle` links the case to an account only for the notification way; /delete erases the row.
    The case code is kept only as its keyed hash (`code_lookup`, HMAC under the server key).
    """

    __tablename__ = "case_contacts"
    reference: Mapped[str] = mapped_column(
        String(16), ForeignKey("cases.reference", ondelete="CASCADE"), primary_key=True
    )
    way: Mapped[str] = mapped_column(String(8))
    handle: Mapped[str | None] = mapped_column(String(64), default=None, index=True)
    sealed: Mapped[bytes] = mapped_column(LargeBinary)
    code_lookup: Mapped[str | None] = mapped_column(String(64), default=None, unique=True)
    code_recipient: Mapped[str | None] = mapped_column(String(100), default=None)
    code_identity: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)


class CaseMessageRow(Base):
    """A coalition's message waiting for the holder of a case code; age-sealed to that code."""

    __tablename__ = "case_messages"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    reference: Mapped[str] = mapped_column(
        String(16), ForeignKey("cases.reference", ondelete="CASCADE"), index=True
    )
    sealed: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime]


class AuditRow(Base):
    """Append-only, hash-chained record of staff actions and refusals. No FK: outlives cases."""

    __tablename__ = "audit_log"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[dt.datetime]
    actor: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(24))
    reference: Mapped[str | None] = mapped_column(String(16), default=None)
    coalition_id: Mapped[str | None] = mapped_column(String(32), default=None)
    outcome: Mapped[str] = mapped_column(String(16))
    previous: Mapped[str] = mapped_column(String(64))
    digest: Mapped[str] = mapped_column(String(64))


class DeadLetterRow(Base):
    """An update whose handling failed deterministically: kept so it cannot block its chat.

    The update itself is sealed at rest and dropped at `expires_at` (a draft's lifetime); the
    error class and the hour stay for `complaint-bot status` until housekeeping forgets them.
    """

    __tablename__ = "dead_letters"
    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(24))
    error_class: Mapped[str] = mapped_column(String(64))
    failed_at: Mapped[dt.datetime] = mapped_column(index=True)
    expires_at: Mapped[dt.datetime] = mapped_column(index=True)
    sealed: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)


class CoordinationRow(Base):
    """A named row replicas share: the send pause (`until`) and leases (`holder` until `until`)."""

    __tablename__ = "coordination"
    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    holder: Mapped[str | None] = mapped_column(String(64), default=None)
    until: Mapped[dt.datetime | None] = mapped_column(default=None)
