"""An in-memory unit of work with the same interface as the SQL one.

For unit tests of the services and for `complaint-bot try`, which walks the form without a
database. It keeps values in clear: never use it to hold real complaints.

Like the SQL one it is transactional: a unit of work works on its own copy of the tables and
publishes it on commit, so a unit left without committing changes nothing. It is not meant for
concurrent writers (the last commit wins).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from types import TracebackType
from typing import IO, Self

from storage.audit import ORIGIN, AuditFields, AuditRecord, digest_of
from storage.cases import SEALED_CHUNK as _CHUNK
from storage.cases import CaseRecord, Delivery, QueueState
from storage.contacts import CHAT, CODE, CodeHolder, Contact
from storage.times import to_the_hour
from storage.wipes import PendingWipe


@dataclass
class _Draft:
    payload: bytes
    expires_at: dt.datetime
    files: dict[str, bytes] = field(default_factory=dict)


@dataclass
class _Case:
    reference: str
    coalition_id: str
    status: str
    urgency: str
    received_on: dt.date
    closed_on: dt.date | None = None
    assignee: str | None = None
    purge_warned_on: dt.date | None = None

    def record(self) -> CaseRecord:
        return CaseRecord(
            self.reference, self.coalition_id, self.status, self.urgency, self.received_on,
            self.closed_on, self.assignee,
        )  # fmt: skip


@dataclass
class _Delivery:
    id: int
    reference: str
    number: int
    kind: str
    chat_id: int
    created_at: dt.datetime
    due_at: dt.datetime
    attempts: int = 0
    payload: bytes | None = None
    claimed_until: dt.datetime | None = None
    delivered_at: dt.datetime | None = None
    last_error: str | None = None


@dataclass
class _Contact:
    reference: str
    way: str
    language: str
    code_word: str | None
    handle: str | None = None
    chat_id: int | None = None
    code_lookup: str | None = None
    code_recipient: str | None = None
    code_identity: bytes | None = None


@dataclass
class _Wipe:
    id: int
    chat_id: int
    message_ids: list[int]
    due_at: dt.datetime
    give_up_at: dt.datetime
    attempts: int = 0


@dataclass
class _Tables:
    """Every table of the store. Rows are copied per unit of work; records handed out are
    immutable snapshots, as the SQL repositories hand out."""

    drafts: dict[str, _Draft] = field(default_factory=dict)
    updates: dict[int, dt.datetime] = field(default_factory=dict)
    cases: dict[str, _Case] = field(default_factory=dict)
    files: dict[tuple[str, int], bytes] = field(default_factory=dict)
    outbox: dict[int, _Delivery] = field(default_factory=dict)
    contacts: dict[str, _Contact] = field(default_factory=dict)
    messages: dict[int, tuple[str, bytes, dt.datetime]] = field(default_factory=dict)
    audit: list[AuditRecord] = field(default_factory=list)
    wipes: dict[int, _Wipe] = field(default_factory=dict)
    last_id: int = 0

    def new_id(self) -> int:
        self.last_id += 1
        return self.last_id

    def copy(self) -> _Tables:
        return _Tables(
            drafts={
                h: _Draft(d.payload, d.expires_at, dict(d.files)) for h, d in self.drafts.items()
            },
            updates=dict(self.updates),
            cases={k: replace(v) for k, v in self.cases.items()},
            files=dict(self.files),
            outbox={k: replace(v) for k, v in self.outbox.items()},
            contacts={k: replace(v) for k, v in self.contacts.items()},
            messages=dict(self.messages),
            audit=list(self.audit),
            wipes={k: replace(v, message_ids=list(v.message_ids)) for k, v in self.wipes.items()},
            last_id=self.last_id,
        )


class MemoryDrafts:
    def __init__(self, tables: _Tables) -> None:
        self._t = tables

    def get(self, handle: str, now: dt.datetime) -> bytes | None:
        row = self._t.drafts.get(handle)
        return row.payload if row is not None and row.expires_at > now else None

    def put(self, handle: str, payload: bytes, now: dt.datetime, lifetime: dt.timedelta) -> None:
        row = self._t.drafts.get(handle)
        if row is None or row.expires_at <= now:
            self._t.drafts[handle] = _Draft(payload, now + lifetime)
        else:
            row.payload = payload

    def delete(self, handle: str) -> None:
        self._t.drafts.pop(handle, None)

    def add_file(self, handle: str, ref: str, data: bytes) -> None:
        self._t.drafts[handle].files[ref] = data

    def keep_files(self, handle: str, refs: Collection[str]) -> int:
        row = self._t.drafts.get(handle)
        if row is None:
            return 0
        gone = [ref for ref in row.files if ref not in refs]
        for ref in gone:
            del row.files[ref]
        return len(gone)

    def get_file(self, handle: str, ref: str) -> bytes | None:
        row = self._t.drafts.get(handle)
        return row.files.get(ref) if row else None

    def expired(self, now: dt.datetime) -> list[bytes]:
        return [row.payload for row in self._t.drafts.values() if row.expires_at <= now]

    def purge_expired(self, now: dt.datetime) -> int:
        expired = [h for h, row in self._t.drafts.items() if row.expires_at <= now]
        for handle in expired:
            del self._t.drafts[handle]
        return len(expired)


class MemoryUpdates:
    def __init__(self, tables: _Tables) -> None:
        self._t = tables

    def claim(self, update_id: int, now: dt.datetime) -> bool:
        if update_id in self._t.updates:
            return False
        self._t.updates[update_id] = now
        return True

    def forget_before(self, cutoff: dt.datetime) -> int:
        old = [i for i, at in self._t.updates.items() if at < cutoff]
        for update_id in old:
            del self._t.updates[update_id]
        return len(old)


class MemoryCases:
    def __init__(self, tables: _Tables) -> None:
        self._t = tables

    def exists(self, reference: str) -> bool:
        return reference in self._t.cases

    def add(
        self,
        reference: str,
        coalition_id: str,
        urgency: str,
        received_on: dt.date,
        sealed: bytes | IO[bytes],
    ) -> None:
        if reference in self._t.cases:
            raise KeyError(f"case {reference} exists")
        self._t.cases[reference] = _Case(reference, coalition_id, "new", urgency, received_on)
        self.add_sealed_file(reference, 0, sealed)

    def add_sealed_file(self, reference: str, number: int, sealed: bytes | IO[bytes]) -> None:
        if reference not in self._t.cases or (reference, number) in self._t.files:
            raise KeyError(f"no case {reference}, or its file {number} exists")
        self._t.files[(reference, number)] = sealed if isinstance(sealed, bytes) else sealed.read()

    def next_file_number(self, reference: str) -> int:
        numbers = [n for r, n in self._t.files if r == reference]
        return max(numbers) + 1 if numbers else 0

    def sealed_file(self, reference: str, number: int) -> bytes | None:
        return self._t.files.get((reference, number))

    def sealed_chunks(self, reference: str, number: int) -> int | None:
        sealed = self._t.files.get((reference, number))
        return None if sealed is None else -(-len(sealed) // _CHUNK)

    def sealed_chunk(self, reference: str, number: int, seq: int) -> bytes | None:
        sealed = self._t.files.get((reference, number))
        if sealed is None or not 0 <= seq < -(-len(sealed) // _CHUNK):
            return None
        return sealed[seq * _CHUNK : (seq + 1) * _CHUNK]

    def copy_sealed_file(self, reference: str, number: int, target: IO[bytes]) -> bool:
        sealed = self._t.files.get((reference, number))
        if sealed is not None:
            target.write(sealed)
        return sealed is not None

    def closed(self) -> list[tuple[CaseRecord, dt.date | None]]:
        return [
            (case.record(), case.purge_warned_on)
            for case in self._t.cases.values()
            if case.closed_on is not None
        ]

    def mark_warned(self, reference: str, day: dt.date) -> None:
        case = self._t.cases.get(reference)
        if case is not None:
            case.purge_warned_on = day

    def close(self, reference: str, day: dt.date) -> None:
        case = self._t.cases.get(reference)
        if case is not None:
            case.status, case.closed_on = "closed", day

    def set_status(self, reference: str, status: str, day: dt.date) -> None:
        case = self._t.cases.get(reference)
        if case is None or case.status == status:
            return
        if status == "closed":
            case.closed_on, case.purge_warned_on = day, None
        elif case.status == "closed":
            case.closed_on, case.purge_warned_on = None, None
        case.status = status

    def assign(self, reference: str, assignee: str | None) -> None:
        case = self._t.cases.get(reference)
        if case is not None:
            case.assignee = assignee

    def open_cases(self, coalition_ids: list[str]) -> list[CaseRecord]:
        found = [
            c
            for c in self._t.cases.values()
            if c.coalition_id in coalition_ids and c.status != "closed"
        ]
        return [c.record() for c in sorted(found, key=lambda c: (c.received_on, c.reference))]

    def statuses(self, references: list[str]) -> list[CaseRecord]:
        return [self._t.cases[r].record() for r in sorted(set(references)) if r in self._t.cases]

    def purge(self, reference: str) -> None:
        t = self._t
        for message_id in [i for i, m in t.messages.items() if m[0] == reference]:
            del t.messages[message_id]
        t.contacts.pop(reference, None)
        for delivery_id in [i for i, d in t.outbox.items() if d.reference == reference]:
            del t.outbox[delivery_id]
        for key in [k for k in t.files if k[0] == reference]:
            del t.files[key]
        t.cases.pop(reference, None)

    def get(self, reference: str) -> CaseRecord | None:
        case = self._t.cases.get(reference)
        return case.record() if case is not None else None


class MemoryOutbox:
    def __init__(self, tables: _Tables) -> None:
        self._t = tables

    def enqueue(
        self,
        reference: str,
        number: int,
        chat_id: int,
        now: dt.datetime,
        kind: str = "file",
        payload: bytes | None = None,
    ) -> None:
        delivery_id = self._t.new_id()
        hour = to_the_hour(now)
        self._t.outbox[delivery_id] = _Delivery(
            delivery_id, reference, number, kind, chat_id, hour, hour, payload=payload
        )

    def forget_relays(self, references: list[str]) -> None:
        for delivery_id, row in list(self._t.outbox.items()):
            if row.reference in references and row.kind == "relay":
                del self._t.outbox[delivery_id]

    def claim_due(self, now: dt.datetime, lease: dt.timedelta, limit: int = 10) -> list[Delivery]:
        due = sorted(
            (
                row
                for row in self._t.outbox.values()
                if row.delivered_at is None
                and row.due_at <= now
                and (row.claimed_until is None or row.claimed_until < now)
                and row.reference in self._t.cases
            ),
            key=lambda row: (row.due_at, row.id),
        )
        claimed = []
        for row in due[:limit]:
            row.claimed_until = now + lease
            row.attempts += 1
            case = self._t.cases[row.reference]
            claimed.append(
                Delivery(
                    row.id, row.reference, row.number, row.chat_id, row.attempts, case.urgency,
                    case.received_on, row.kind, case.closed_on, row.payload,
                )
            )  # fmt: skip
        return claimed

    def delivered(self, delivery_id: int, now: dt.datetime) -> None:
        row = self._t.outbox.get(delivery_id)
        if row is not None:
            row.delivered_at, row.claimed_until = to_the_hour(now), None
            row.last_error, row.payload = None, None

    def retry_later(self, delivery_id: int, due_at: dt.datetime, error: str) -> None:
        row = self._t.outbox.get(delivery_id)
        if row is not None:
            row.due_at, row.claimed_until, row.last_error = due_at, None, error[:64]

    def waiting(self) -> list[QueueState]:
        states: dict[int, QueueState] = {}
        rows = sorted(self._t.outbox.values(), key=lambda row: (row.created_at, row.id))
        for row in (r for r in rows if r.delivered_at is None):
            state = states.get(row.chat_id)
            if state is None:
                states[row.chat_id] = QueueState(
                    row.chat_id, 1, row.reference, row.created_at, row.last_error
                )
            else:
                states[row.chat_id] = replace(
                    state, waiting=state.waiting + 1, last_error=state.last_error or row.last_error
                )
        return list(states.values())

    def deliveries_of(self, reference: str) -> int:
        return sum(
            1 for r in self._t.outbox.values() if r.reference == reference and r.delivered_at
        )


class MemoryContacts:
    def __init__(self, tables: _Tables) -> None:
        self._t = tables

    def add_chat(
        self, reference: str, handle: str, chat_id: int, language: str, code_word: str | None
    ) -> None:
        self._add(_Contact(reference, CHAT, language, code_word, handle=handle, chat_id=chat_id))

    def add_code(
        self,
        reference: str,
        lookup: str,
        recipient: str,
        locked_identity: bytes,
        language: str,
        code_word: str | None,
    ) -> None:
        self._add(
            _Contact(
                reference, CODE, language, code_word, code_lookup=lookup,
                code_recipient=recipient, code_identity=locked_identity,
            )
        )  # fmt: skip

    def _add(self, contact: _Contact) -> None:
        if contact.reference in self._t.contacts:
            raise KeyError(f"case {contact.reference} has a contact")
        self._t.contacts[contact.reference] = contact

    def get(self, reference: str) -> Contact | None:
        row = self._t.contacts.get(reference)
        if row is None:
            return None
        return Contact(
            reference, row.way, row.language, row.code_word, row.chat_id, row.handle,
            row.code_recipient,
        )  # fmt: skip

    def by_code(self, lookup: str) -> CodeHolder | None:
        row = next((c for c in self._t.contacts.values() if c.code_lookup == lookup), None)
        if row is None or row.code_recipient is None or row.code_identity is None:
            return None
        return CodeHolder(row.reference, row.code_recipient, row.code_identity)

    def references_of(self, handle: str) -> list[str]:
        return sorted(r for r, c in self._t.contacts.items() if c.handle == handle)

    def erase(self, references: list[str]) -> None:
        for message_id in [i for i, m in self._t.messages.items() if m[0] in references]:
            del self._t.messages[message_id]
        for reference in references:
            self._t.contacts.pop(reference, None)

    def keep_message(self, reference: str, sealed: bytes, now: dt.datetime) -> None:
        self._t.messages[self._t.new_id()] = (reference, sealed, now)

    def messages_for(self, reference: str) -> list[tuple[int, bytes]]:
        return [(i, m[1]) for i, m in sorted(self._t.messages.items()) if m[0] == reference]

    def drop_messages(self, ids: list[int]) -> None:
        for message_id in ids:
            self._t.messages.pop(message_id, None)


class MemoryAudit:
    """Append-only and hash-chained like the SQL log, so `verify_chain` checks it the same way."""

    def __init__(self, tables: _Tables) -> None:
        self._t = tables

    def append(self, entry: AuditFields, now: dt.datetime) -> int:
        last = self._t.audit[-1] if self._t.audit else None
        seq = 1 if last is None else last.seq + 1
        previous = ORIGIN if last is None else last.digest
        at = now.astimezone(dt.UTC)
        self._t.audit.append(
            AuditRecord(
                seq, at, str(entry.actor), str(entry.action),
                None if entry.reference is None else str(entry.reference),
                None if entry.coalition_id is None else str(entry.coalition_id),
                str(entry.outcome), previous, digest_of(previous, seq, at, entry),
            )
        )  # fmt: skip
        return seq

    def entries(self) -> list[AuditRecord]:
        return list(self._t.audit)


class MemoryWipes:
    def __init__(self, tables: _Tables) -> None:
        self._t = tables

    def add(
        self,
        chat_id: int,
        message_ids: list[int],
        now: dt.datetime,
        give_up_at: dt.datetime,
        due_at: dt.datetime | None = None,
    ) -> None:
        wipe_id = self._t.new_id()
        self._t.wipes[wipe_id] = _Wipe(
            wipe_id, chat_id, list(message_ids), due_at or now, give_up_at
        )

    def due(self, now: dt.datetime, limit: int = 20) -> list[PendingWipe]:
        for wipe_id in [i for i, w in self._t.wipes.items() if w.give_up_at <= now]:
            del self._t.wipes[wipe_id]
        due = sorted(i for i, w in self._t.wipes.items() if w.due_at <= now)[:limit]
        return [
            PendingWipe(i, self._t.wipes[i].chat_id, list(self._t.wipes[i].message_ids),
                        self._t.wipes[i].attempts)
            for i in due
        ]  # fmt: skip

    def done(self, wipe_id: int) -> None:
        self._t.wipes.pop(wipe_id, None)

    def retry(self, wipe_id: int, due_at: dt.datetime) -> None:
        wipe = self._t.wipes.get(wipe_id)
        if wipe is not None:
            wipe.due_at = due_at
            wipe.attempts += 1

    def count(self) -> int:
        return len(self._t.wipes)


class MemoryStore:
    """Shared state behind every MemoryUnitOfWork made from it; commit publishes a copy."""

    def __init__(self) -> None:
        self.tables = _Tables()

    def unit_of_work(self) -> MemoryUnitOfWork:
        return MemoryUnitOfWork(self)


class MemoryUnitOfWork:
    drafts: MemoryDrafts
    updates: MemoryUpdates
    cases: MemoryCases
    outbox: MemoryOutbox
    contacts: MemoryContacts
    audit: MemoryAudit
    wipes: MemoryWipes

    def __init__(self, store: MemoryStore) -> None:
        self._store = store
        self.committed = False

    def __enter__(self) -> Self:
        self._begin()
        return self

    def _begin(self) -> None:
        tables = self._tables = self._store.tables.copy()
        self.drafts = MemoryDrafts(tables)
        self.updates = MemoryUpdates(tables)
        self.cases = MemoryCases(tables)
        self.outbox = MemoryOutbox(tables)
        self.contacts = MemoryContacts(tables)
        self.audit = MemoryAudit(tables)
        self.wipes = MemoryWipes(tables)

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        return None

    def commit(self) -> None:
        self._store.tables = self._tables
        self.committed = True
        # As a SQL session after COMMIT: the unit may go on, in a transaction of its own.
        self._begin()
