"""What the case services need from storage and crypto, as protocols.

Storage implements them without importing the bot (structurally): `storage.unit_of_work` and
`storage.memory` for the unit of work, `storage.case_codes` for case codes, `storage.at_rest` for
relays kept at rest. Records storage hands back are read through the read-only protocols here;
the vocabulary (`ContactWay`, `CaseStatus`, `DeliveryKind`, audit words) has the same values as
the strings storage keeps, so storage accepts and returns plain `str`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import IO, Protocol

from bot.intake.ports import Transaction

# Records read from storage -------------------------------------------------------------------


class CaseRecord(Protocol):
    """A case as staff and complainants see it: no content, which stays sealed."""

    @property
    def reference(self) -> str: ...
    @property
    def coalition_id(self) -> str: ...
    @property
    def status(self) -> str: ...  # a `CaseStatus` value
    @property
    def urgency(self) -> str: ...
    @property
    def received_on(self) -> dt.date: ...
    @property
    def closed_on(self) -> dt.date | None: ...
    @property
    def assignee(self) -> str | None: ...


class Contact(Protocol):
    """The way back to a complainant, opened from its seal at rest."""

    @property
    def reference(self) -> str: ...
    @property
    def way(self) -> str: ...  # a `ContactWay` value
    @property
    def language(self) -> str: ...
    @property
    def code_word(self) -> str | None: ...
    @property
    def chat_id(self) -> int | None: ...
    @property
    def handle(self) -> str | None: ...
    @property
    def code_recipient(self) -> str | None: ...


class CodeHolder(Protocol):
    """A case found by its code's look-up value, and the identity its messages are sealed to,
    locked by the code."""

    @property
    def reference(self) -> str: ...
    @property
    def locked_identity(self) -> bytes: ...


class Delivery(Protocol):
    """An outbox row claimed by the courier."""

    @property
    def id(self) -> int: ...
    @property
    def reference(self) -> str: ...
    @property
    def number(self) -> int: ...
    @property
    def chat_id(self) -> int: ...
    @property
    def attempts(self) -> int: ...
    @property
    def urgency(self) -> str: ...
    @property
    def received_on(self) -> dt.date: ...
    @property
    def kind(self) -> str: ...  # a `DeliveryKind` value
    @property
    def closed_on(self) -> dt.date | None: ...
    @property
    def payload(self) -> bytes | None: ...


class AuditFields(Protocol):
    """One line of the audit log, as the services write it (storage adds time and chain)."""

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


# Repositories --------------------------------------------------------------------------------


class Updates(Protocol):
    def claim(self, update_id: int, now: dt.datetime) -> bool: ...


class Cases(Protocol):
    def exists(self, reference: str) -> bool: ...

    def get(self, reference: str) -> CaseRecord | None: ...

    def set_status(self, reference: str, status: str, day: dt.date) -> None: ...

    def assign(self, reference: str, assignee: str | None) -> None: ...

    def open_cases(self, coalition_ids: list[str]) -> Sequence[CaseRecord]: ...

    def statuses(self, references: list[str]) -> Sequence[CaseRecord]: ...

    def next_file_number(self, reference: str) -> int: ...

    def add_sealed_file(self, reference: str, number: int, sealed: bytes | IO[bytes]) -> None:
        """Store a sealed file; a stream is read in chunks, never whole."""
        ...

    def sealed_file(self, reference: str, number: int) -> bytes | None: ...

    def sealed_chunks(self, reference: str, number: int) -> int | None:
        """How many chunks the sealed file is stored in; None if there is no such file."""
        ...

    def sealed_chunk(self, reference: str, number: int, seq: int) -> bytes | None: ...

    def copy_sealed_file(self, reference: str, number: int, target: IO[bytes]) -> bool:
        """Write the sealed file to `target`, one chunk at a time; False if there is none."""
        ...

    def closed(self) -> Sequence[tuple[CaseRecord, dt.date | None]]: ...

    def mark_warned(self, reference: str, day: dt.date) -> None: ...

    def purge(self, reference: str) -> None: ...


class Outbox(Protocol):
    def enqueue(
        self,
        reference: str,
        number: int,
        chat_id: int,
        now: dt.datetime,
        kind: str = ...,
        payload: bytes | None = ...,
    ) -> None: ...

    def forget_relays(self, references: list[str]) -> None: ...

    def claim_due(
        self, now: dt.datetime, lease: dt.timedelta, limit: int = ...
    ) -> Sequence[Delivery]: ...

    def delivered(self, delivery_id: int, now: dt.datetime) -> None: ...

    def retry_later(self, delivery_id: int, due_at: dt.datetime, error: str) -> None: ...


class Contacts(Protocol):
    def get(self, reference: str) -> Contact | None: ...

    def by_code(self, lookup: str) -> CodeHolder | None: ...

    def references_of(self, handle: str) -> list[str]: ...

    def erase(self, references: list[str]) -> None: ...

    def keep_message(self, reference: str, sealed: bytes, now: dt.datetime) -> None: ...

    def messages_for(self, reference: str) -> Sequence[tuple[int, bytes]]: ...

    def drop_messages(self, ids: list[int]) -> None: ...


class Audit(Protocol):
    """Append-only: there is nothing to change or remove."""

    def append(self, entry: AuditFields, now: dt.datetime) -> int: ...


class CaseUnitOfWork(Transaction, Protocol):
    """One transaction around the case repositories; nothing is kept unless committed."""

    @property
    def updates(self) -> Updates: ...

    @property
    def cases(self) -> Cases: ...

    @property
    def outbox(self) -> Outbox: ...

    @property
    def contacts(self) -> Contacts: ...

    @property
    def audit(self) -> Audit: ...


# Crypto, by intent ---------------------------------------------------------------------------


class RelaySeal(Protocol):
    """Keeps a staff message to a complainant's chat sealed at rest (server key) while it waits
    in the outbox: the chat id and the words are never in clear in the database."""

    def seal(self, row: str, plaintext: bytes) -> bytes: ...

    def open(self, row: str, envelope: bytes) -> bytes: ...


class IssuedCode(Protocol):
    """A fresh case code, shown once; the server keeps only its look-up value and the box."""

    @property
    def code(self) -> str: ...
    @property
    def lookup(self) -> str: ...
    @property
    def recipient(self) -> str: ...  # messages for this code are sealed to it
    @property
    def locked_identity(self) -> bytes: ...  # the identity that opens them, locked by the code


class CodeKey(Protocol):
    """What a typed case code derives: its look-up value, and what opens its messages."""

    @property
    def lookup(self) -> str: ...

    def open_messages(self, locked_identity: bytes, sealed: Sequence[bytes]) -> list[bytes] | None:
        """The messages, opened with the identity this code unlocks; None if it does not."""
        ...


class CaseCodes(Protocol):
    def issue(self) -> IssuedCode: ...

    def key_of(self, typed: str) -> CodeKey | None:
        """The key of what a person typed, read leniently; None if it is no case code."""
        ...
