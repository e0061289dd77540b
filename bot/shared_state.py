"""What webhook replicas share through the database: the SQLite single-process guard, the
leader, the send budget and its shared pause, the chat locks, dead letters, readiness and the
outbox gauges. A composition root beside bot/app.py: it builds storage's coordination pieces."""

from __future__ import annotations

import asyncio
import datetime as dt
import fcntl
import os
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from contextvars import ContextVar

from sqlalchemy import Engine

from bot import metrics
from bot.app import Runtime
from bot.chat.failures import DeadLetters
from bot.chat.limits import SendLimiter
from bot.config import ConfigError
from storage.coordination import AdvisoryLeadership, ChatMutex, LeaseLeadership, SqlPause
from storage.database import make_engine
from storage.handles import chat_lock_key
from storage.migrate import schema_is_current
from storage.unit_of_work import chat_lock_key as claim_lock_key

CHAT_WAIT_SECONDS = 45.0  # under Telegram's ~60 s webhook timeout: a busy chat answers 503


class Replicas:
    """What webhook replicas share through the database (bot.lifecycle.serve_webhook)."""

    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime
        self._lock_file: int | None = None
        self._lock_engine: Engine | None = None

    @property
    def on_sqlite(self) -> bool:
        return self._runtime.database.dialect.name == "sqlite"

    def claim_sqlite(self) -> None:
        """SQLite serves one process: a second webhook process on it stops with one line."""
        if not self.on_sqlite:
            return
        path = self._runtime.settings.data_dir / "webhook.lock"
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(descriptor)
            raise ConfigError(
                "DATABASE_URL: another webhook process already runs on this SQLite database; "
                "SQLite takes one process, so set DATABASE_URL to PostgreSQL for replicas"
            ) from None
        self._lock_file = descriptor

    def leadership(self) -> AdvisoryLeadership | LeaseLeadership | None:
        """None on SQLite: the one process always leads."""
        if self.on_sqlite:
            return None
        if self._runtime.settings.leader_election == "lease":
            holder = f"{socket.gethostname()}:{os.getpid()}"[:64]
            return LeaseLeadership(self._runtime.sessions, holder)
        return AdvisoryLeadership(self._runtime.database)

    def send_limiter(self) -> SendLimiter:
        return SendLimiter(
            self._runtime.settings.send_per_second,
            SqlPause(self._runtime.sessions),
            on_retry_after=metrics.TOO_MANY.inc,
            on_retry=metrics.SEND_RETRIES.inc,
            chat_burst=self._runtime.settings.send_chat_burst,
        )

    def dead_letters(self) -> DeadLetters:
        return DeadLetters(
            self._runtime.unit_of_work, lambda kind: metrics.DEAD_LETTERS.labels(kind).inc()
        )

    def chat_lock(self) -> tuple[ContextVar[int | None], Callable[[int], int]]:
        handle_key = self._runtime.keys.handle_key
        return claim_lock_key, lambda chat_id: chat_lock_key(handle_key, chat_id)

    def chat_mutex(self) -> Callable[[int], AbstractAsyncContextManager[None]] | None:
        """Holds a chat across replicas from an update's arrival to its last reply; None on
        SQLite, where one process serves and its in-process lock is enough."""
        if self.on_sqlite:
            return None
        self._lock_engine = make_engine(self._runtime.settings.resolved_database_url)
        mutex = ChatMutex(self._lock_engine)
        handle_key = self._runtime.keys.handle_key

        @asynccontextmanager
        async def hold(chat_id: int) -> AsyncIterator[None]:
            key = chat_lock_key(handle_key, chat_id, "chat-mutex")
            deadline = asyncio.get_running_loop().time() + CHAT_WAIT_SECONDS
            while (connection := await asyncio.to_thread(mutex.try_take, key)) is None:
                if asyncio.get_running_loop().time() > deadline:
                    raise TimeoutError("the chat is busy on another replica")
                await asyncio.sleep(0.02)
            try:
                yield
            finally:
                await asyncio.to_thread(mutex.release, connection, key)

        return hold

    def ready(self) -> bool:
        return schema_is_current(self._runtime.database)

    def outbox_depth(self) -> tuple[int, float]:
        """Undelivered outbox items and the age in seconds of the oldest (0 when empty)."""
        with self._runtime.unit_of_work() as unit:
            waiting = unit.outbox.waiting()
        if not waiting:
            return 0, 0.0
        oldest = min(state.oldest_since for state in waiting)
        age = (dt.datetime.now(dt.UTC) - oldest).total_seconds()
        return sum(state.waiting for state in waiting), max(0.0, age)

    def tidy_dead_letters(self) -> int:
        """Drop dead letters' sealed updates after their time; forget rows after 30 days."""
        now = dt.datetime.now(dt.UTC)
        with self._runtime.unit_of_work() as unit:
            forgotten = unit.dead_letters.tidy(now, now - dt.timedelta(days=30))
            unit.commit()
        return forgotten

    def release(self) -> None:
        if self._lock_engine is not None:
            self._lock_engine.dispose()
        if self._lock_file is not None:
            os.close(self._lock_file)
            self._lock_file = None
