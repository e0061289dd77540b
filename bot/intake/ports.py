"""What the intake service needs from storage, as protocols (storage implements them)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import IO, Any, Protocol, Self

from bot.intake.draft import Draft


class Drafts(Protocol):
    def get(self, handle: str, now: dt.datetime) -> bytes | None: ...

    def put(
        self, handle: str, payload: bytes, now: dt.datetime, lifetime: dt.timedelta
    ) -> None: ...

    def delete(self, handle: str) -> None: ...

    def add_file(self, handle: str, ref: str, data: bytes) -> None: ...

    def get_file(self, handle: str, ref: str) -> bytes | None: ...

    def keep_files(self, handle: str, refs: Collection[str]) -> int:
        """Delete this draft's stored files not in `refs`; how many went."""
        ...


class Updates(Protocol):
    def claim(self, update_id: int, now: dt.datetime) -> bool: ...


class Transaction(Protocol):
    """One database transaction: nothing is kept unless committed, whatever the repositories."""

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None: ...


class UnitOfWork(Transaction, Protocol):
    @property
    def drafts(self) -> Drafts: ...

    @property
    def updates(self) -> Updates: ...

    @property
    def cases(self) -> Cases: ...

    @property
    def outbox(self) -> Outbox: ...

    @property
    def contacts(self) -> Contacts: ...


class Cases(Protocol):
    def exists(self, reference: str) -> bool: ...

    def add(
        self,
        reference: str,
        coalition_id: str,
        urgency: str,
        received_on: dt.date,
        sealed: bytes | IO[bytes],
    ) -> None:
        """Store a new case; a stream is copied in chunks, never read whole."""
        ...


class Contacts(Protocol):
    """Ways back to a complainant who asked to be reached through the bot."""

    def add_chat(
        self, reference: str, handle: str, chat_id: int, language: str, code_word: str | None
    ) -> None: ...

    def add_code(
        self,
        reference: str,
        lookup: str,
        recipient: str,
        locked_identity: bytes,
        language: str,
        code_word: str | None,
    ) -> None: ...


class Outbox(Protocol):
    def enqueue(self, reference: str, number: int, chat_id: int, now: dt.datetime) -> None: ...


@dataclass(frozen=True)
class Destination:
    """Who will read the case: shown to the complainant before sending."""

    coalition: str
    fingerprints: tuple[str, ...]
    demo: bool
    help: tuple[tuple[str, str], ...] = ()  # (language, what the person can do now)


@dataclass(frozen=True)
class Receipt:
    reference: str
    destination: Destination
    case_code: str | None = None


class PreparedCase(Protocol):
    """A case packed and sealed ahead of the unit of work that stores it."""

    def close(self) -> None: ...


class Submitter(Protocol):
    def destination(self, answers: Mapping[str, Any]) -> Destination: ...

    def prepare(
        self, load: Callable[[str], bytes], draft: Draft, now: dt.datetime
    ) -> PreparedCase | None:
        """Pack and seal the case outside any transaction (`load` gives each attachment by its
        ref); None when this submitter does everything in `submit`."""
        ...

    def submit(
        self,
        unit: UnitOfWork,
        handle: str,
        draft: Draft,
        now: dt.datetime,
        prepared: PreparedCase | None = None,
    ) -> Receipt:
        """Store the case (the one `prepare` made from this very draft, if given), queue its
        delivery and record the way back, in `unit`."""
        ...
