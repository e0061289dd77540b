"""An in-memory unit of work with the same interface as the SQL one.

For unit tests of the service and for `complaint-bot try`, which walks the form without a
database. It keeps values in clear: never use it to hold real complaints.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from types import TracebackType
from typing import Self


@dataclass
class _Draft:
    payload: bytes
    expires_at: dt.datetime
    files: dict[str, bytes] = field(default_factory=dict)


class MemoryDrafts:
    def __init__(self) -> None:
        self.rows: dict[str, _Draft] = {}

    def get(self, handle: str, now: dt.datetime) -> bytes | None:
        row = self.rows.get(handle)
        return row.payload if row is not None and row.expires_at > now else None

    def put(self, handle: str, payload: bytes, now: dt.datetime, lifetime: dt.timedelta) -> None:
        row = self.rows.get(handle)
        if row is None or row.expires_at <= now:
            self.rows[handle] = _Draft(payload, now + lifetime)
        else:
            row.payload = payload

    def delete(self, handle: str) -> None:
        self.rows.pop(handle, None)

    def add_file(self, handle: str, ref: str, data: bytes) -> None:
        self.rows[handle].files[ref] = data

    def get_file(self, handle: str, ref: str) -> bytes | None:
        row = self.rows.get(handle)
        return row.files.get(ref) if row else None

    def purge_expired(self, now: dt.datetime) -> int:
        expired = [h for h, row in self.rows.items() if row.expires_at <= now]
        for handle in expired:
            del self.rows[handle]
        return len(expired)


class MemoryUpdates:
    def __init__(self) -> None:
        self.seen: dict[int, dt.datetime] = {}

    def claim(self, update_id: int, now: dt.datetime) -> bool:
        if update_id in self.seen:
            return False
        self.seen[update_id] = now
        return True


class MemoryCases:
    def __init__(self) -> None:
        self.rows: dict[str, tuple[str, str, dt.date, bytes]] = {}

    def exists(self, reference: str) -> bool:
        return reference in self.rows

    def add(
        self, reference: str, coalition_id: str, urgency: str, received_on: dt.date, sealed: bytes
    ) -> None:
        self.rows[reference] = (coalition_id, urgency, received_on, sealed)


class MemoryOutbox:
    def __init__(self) -> None:
        self.queued: list[tuple[str, int, int]] = []

    def enqueue(self, reference: str, number: int, chat_id: int, now: dt.datetime) -> None:
        self.queued.append((reference, number, chat_id))


class MemoryContacts:
    def __init__(self) -> None:
        self.chats: dict[str, tuple[str, int, str, str | None]] = {}
        self.codes: dict[str, tuple[str, str, bytes, str, str | None]] = {}

    def add_chat(
        self, reference: str, handle: str, chat_id: int, language: str, code_word: str | None
    ) -> None:
        self.chats[reference] = (handle, chat_id, language, code_word)

    def add_code(
        self,
        reference: str,
        lookup: str,
        recipient: str,
        locked_identity: bytes,
        language: str,
        code_word: str | None,
    ) -> None:
        self.codes[reference] = (lookup, recipient, locked_identity, language, code_word)


class MemoryStore:
    """Shared state behind every MemoryUnitOfWork made from it; commit publishes a copy."""

    def __init__(self) -> None:
        self.drafts = MemoryDrafts()
        self.updates = MemoryUpdates()
        self.cases = MemoryCases()
        self.outbox = MemoryOutbox()
        self.contacts = MemoryContacts()

    def unit_of_work(self) -> MemoryUnitOfWork:
        return MemoryUnitOfWork(self)


class MemoryUnitOfWork:
    def __init__(self, store: MemoryStore) -> None:
        self._store = store
        self.committed = False

    @property
    def drafts(self) -> MemoryDrafts:
        return self._drafts

    @property
    def updates(self) -> MemoryUpdates:
        return self._updates

    @property
    def cases(self) -> MemoryCases:
        return self._store.cases

    @property
    def outbox(self) -> MemoryOutbox:
        return self._store.outbox

    @property
    def contacts(self) -> MemoryContacts:
        return self._store.contacts

    def __enter__(self) -> Self:
        self._drafts = _copy_drafts(self._store.drafts)
        self._updates = MemoryUpdates()
        self._updates.seen = dict(self._store.updates.seen)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        return None

    def commit(self) -> None:
        self._store.drafts = self._drafts
        self._store.updates = self._updates
        self.committed = True


def _copy_drafts(drafts: MemoryDrafts) -> MemoryDrafts:
    copy = MemoryDrafts()
    copy.rows = {h: _Draft(r.payload, r.expires_at, dict(r.files)) for h, r in drafts.rows.items()}
    return copy
