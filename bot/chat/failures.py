"""What a failed update means: try again later, or put it aside for good.

- Transient: the database is unreachable, a lock or statement timed out, the disk is full,
  Telegram's network failed or asked us to wait. The same update will very likely succeed
  later, so it is never confirmed: the webhook answers 503 (Telegram redelivers), the poller
  keeps it pending and tries again with a bounded backoff.
- Refused: Telegram refused one of the calls made for the update (BadRequest, Forbidden: a
  callback query answered twice when the update was redelivered, a message already deleted, a
  chat that blocked the bot). Sending the same call again gets the same refusal, and the update's
  own transaction has already committed or rolled back, so it is confirmed and counted; keeping
  it would not help anyone replay it.
- Deterministic: anything else (a bug, an update the handlers cannot take). Retrying cannot help
  and would hold the chat's later updates, so the update is sealed into the dead-letter table
  (`complaint-bot status` counts them by error class) and confirmed.

Used by both the webhook front and the poller, so both paths agree.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import enum
import json
import logging
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import Protocol, Self

from sqlalchemy import exc as sql
from telegram import Update
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, RetryAfter

log = logging.getLogger(__name__)
# A dead-lettered update keeps what a complainant typed: sealed, and no longer than a draft.
DEAD_LETTER_LIFETIME = dt.timedelta(hours=47)


class Failure(enum.Enum):
    TRANSIENT = "transient"
    REFUSED = "refused"
    DETERMINISTIC = "deterministic"


def classify(error: BaseException | None) -> Failure:
    """Transient if the error, or any error it was raised from, is one that time can cure."""
    for link in _chain(error):
        if isinstance(link, BadRequest | Forbidden):
            return Failure.REFUSED
        if isinstance(link, InvalidToken):
            return Failure.DETERMINISTIC
        if isinstance(link, RetryAfter | NetworkError | TimeoutError | OSError):
            return Failure.TRANSIENT
        if isinstance(link, sql.OperationalError | sql.InterfaceError | sql.TimeoutError):
            return Failure.TRANSIENT
        if isinstance(link, sql.DBAPIError) and link.connection_invalidated:
            return Failure.TRANSIENT
    return Failure.DETERMINISTIC


def error_class(error: BaseException | None) -> str:
    """The name an operator sees: the class, never the message (it may quote content)."""
    return "unknown" if error is None else type(error).__name__


def update_kind(update: Update) -> str:
    for kind in ("message", "edited_message", "callback_query", "my_chat_member"):
        if getattr(update, kind, None) is not None:
            return kind
    return "other"


def _chain(error: BaseException | None) -> Iterator[BaseException]:
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        yield error
        error = error.__cause__ or error.__context__


class DeadLetterStore(Protocol):
    def add(
        self,
        update_id: int,
        kind: str,
        error_class: str,
        update: bytes,
        now: dt.datetime,
        keep_for: dt.timedelta,
    ) -> bool: ...


class DeadLetterUnitOfWork(Protocol):
    @property
    def dead_letters(self) -> DeadLetterStore: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None: ...


class DeadLetters:
    """Puts an update aside, sealed, in a transaction of its own."""

    def __init__(
        self,
        units: Callable[[], DeadLetterUnitOfWork],
        on_dead_letter: Callable[[str], None] | None = None,
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ) -> None:
        self._units = units
        self._on_dead_letter = on_dead_letter or (lambda _kind: None)
        self._clock = clock

    async def put_aside(self, update: Update, error: BaseException | None) -> None:
        """Raises (a transient error) if the dead letter could not be stored: then the update
        must stay pending, like any other transient failure."""
        kind, name = update_kind(update), error_class(error)
        payload = json.dumps(update.to_dict(), separators=(",", ":")).encode()
        added = await asyncio.to_thread(self._store, update.update_id, kind, name, payload)
        if added:
            self._on_dead_letter(kind)
            log.error("update %d (%s) put aside as a dead letter: %s", update.update_id, kind, name)

    def _store(self, update_id: int, kind: str, name: str, payload: bytes) -> bool:
        with self._units() as unit:
            added = unit.dead_letters.add(
                update_id, kind, name, payload, self._clock(), DEAD_LETTER_LIFETIME
            )
            unit.commit()
        return added
