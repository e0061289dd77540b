"""What the intake service needs from storage, as protocols (storage implements them)."""

from __future__ import annotations

import datetime as dt
from types import TracebackType
from typing import Protocol, Self


class Drafts(Protocol):
    def get(self, handle: str, now: dt.datetime) -> bytes | None: ...

    def put(
        self, handle: str, payload: bytes, now: dt.datetime, lifetime: dt.timedelta
    ) -> None: ...

    def delete(self, handle: str) -> None: ...

    def add_file(self, handle: str, ref: str, data: bytes) -> None: ...

    def get_file(self, handle: str, ref: str) -> bytes | None: ...


class Updates(Protocol):
    def claim(self, update_id: int, now: dt.datetime) -> bool: ...


class UnitOfWork(Protocol):
    @property
    def drafts(self) -> Drafts: ...

    @property
    def updates(self) -> Updates: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None: ...
