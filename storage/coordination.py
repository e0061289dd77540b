"""What replicas on one database share: who leads the periodic jobs, and Telegram's pause.

Leadership, two ways:
- `AdvisoryLeadership` (PostgreSQL, the default there): a session advisory lock held on a
  dedicated connection. PostgreSQL releases it the moment that session ends, so a replica killed
  with SIGKILL hands the jobs over as soon as its connection closes. It needs a real session:
  through a transaction-mode pooler (PgBouncer `pool_mode=transaction`) the lock is taken on
  whatever server connection served that one statement, is never released with the replica,
  and two replicas can both believe they lead. Use session mode, a direct connection, or:
- `LeaseLeadership` (any database): a row `leader` holding who leads until when, renewed well
  before it runs out; a killed leader is replaced once its lease expires.

`SqlPause` keeps one row `telegram-pause` whose `until` every replica honours before sending,
so that a `retry_after` one replica was told stops them all.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable

from sqlalchemy import Connection, Engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from storage.schema import CoordinationRow

LEADER_ROW = "leader"
PAUSE_ROW = "telegram-pause"
LEASE = dt.timedelta(seconds=30)  # a killed lease-row leader is replaced within this and a check


def lock_key(name: str) -> int:
    """A stable signed 64-bit advisory lock key for a name."""
    digest = hashlib.blake2b(f"complaint-bot:{name}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


class AdvisoryLeadership:
    """Leader while holding a session advisory lock on a connection of its own."""

    def __init__(self, engine: Engine, name: str = "jobs") -> None:
        self._engine = engine
        self._key = lock_key(name)
        self._connection: Connection | None = None

    def try_lead(self) -> bool:
        """True while leading: takes the lock if free, or checks the session still holds it."""
        try:
            if self._connection is not None:
                self._connection.execute(text("SELECT 1"))
                return True
            connection = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            held = connection.execute(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": self._key}
            ).scalar()
            if held:
                self._connection = connection
                return True
            connection.close()
            return False
        except Exception:
            self.resign()
            raise

    def resign(self) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        try:
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self._key})
        except Exception:
            connection.invalidate()
        finally:
            connection.close()


class LeaseLeadership:
    """Leader while holding an unexpired lease row, renewed on every `try_lead`."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        holder: str,
        lease: dt.timedelta = LEASE,
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ) -> None:
        self._sessions = sessions
        self._holder = holder
        self._lease = lease
        self._clock = clock

    def try_lead(self) -> bool:
        now = self._clock()
        with self._sessions() as session, session.begin():
            statement = select(CoordinationRow).where(CoordinationRow.name == LEADER_ROW)
            if session.get_bind().dialect.name == "postgresql":
                statement = statement.with_for_update()
            row = session.scalars(statement).first()
            if row is None:
                session.add(
                    CoordinationRow(name=LEADER_ROW, holder=self._holder, until=now + self._lease)
                )
                return True
            if row.holder == self._holder or row.until is None or row.until <= now:
                row.holder = self._holder
                row.until = now + self._lease
                return True
            return False

    def resign(self) -> None:
        with self._sessions() as session, session.begin():
            row = session.get(CoordinationRow, LEADER_ROW)
            if row is not None and row.holder == self._holder:
                row.until = None


class SqlPause:
    """The shared "do not send before" instant."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def until(self) -> dt.datetime | None:
        with self._sessions() as session:
            row = session.get(CoordinationRow, PAUSE_ROW)
            return None if row is None else row.until

    def pause_until(self, until: dt.datetime) -> None:
        """Move the pause to `until`, never earlier than another replica set it."""
        with self._sessions() as session, session.begin():
            statement = select(CoordinationRow).where(CoordinationRow.name == PAUSE_ROW)
            if session.get_bind().dialect.name == "postgresql":
                statement = statement.with_for_update()
            row = session.scalars(statement).first()
            if row is None:
                session.add(CoordinationRow(name=PAUSE_ROW, until=until))
            elif row.until is None or row.until < until:
                row.until = until


class ChatMutex:
    """One chat's updates one at a time across replicas, replies included (PostgreSQL).

    The update-id claim's transaction-scoped lock orders a chat's transactions, but the replies
    are sent after the commit: with only that lock, a redelivered update that a second replica
    takes while the first is still replying can answer out of order. This session lock, on a
    pool of its own, is held from the update's arrival to its last reply. Taken by polling
    `pg_try_advisory_lock`, so no thread blocks on it.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def try_take(self, key: int) -> Connection | None:
        connection = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        try:
            taken = connection.execute(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": key}
            ).scalar()
        except Exception:
            connection.close()
            raise
        if taken:
            return connection
        connection.close()
        return None

    def release(self, connection: Connection, key: int) -> None:
        try:
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
        except Exception:
            connection.invalidate()
        finally:
            connection.close()
