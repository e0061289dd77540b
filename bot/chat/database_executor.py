"""The threads that run database work, sized to the database, instead of asyncio's default pool.

Every unit of work is blocking (SQLAlchemy, sqlite3 or psycopg, AES at rest), so the event loop
hands it to a thread. `asyncio.to_thread` uses the loop's default pool (up to 6 threads on two
cores), and under load those threads only queue on SQLite's single write lock (`BEGIN
IMMEDIATE`) while switching the GIL between them: measured at saturation, one thread does the
same work for less CPU. PostgreSQL takes concurrent writers, so it gets a few threads (fewer than
the engine's pool, so none waits for a connection).

One executor per process, set up by the composition root with `use_database_threads`; until
then (tests that wire handlers by hand) one thread is used.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")
SQLITE_THREADS = 1
SERVER_THREADS = 4  # PostgreSQL: below the engine's pool of 10


class DatabaseThreads:
    def __init__(self, workers: int = SQLITE_THREADS) -> None:
        self._workers = workers
        self._executor: ThreadPoolExecutor | None = None

    @property
    def workers(self) -> int:
        return self._workers

    def resize(self, workers: int) -> None:
        """Use `workers` threads from now on (work already queued finishes where it is)."""
        if workers != self._workers:
            old, self._executor, self._workers = self._executor, None, workers
            if old is not None:
                old.shutdown(wait=False)

    async def run(self, function: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        """Like `asyncio.to_thread`: run `function` in a database thread, in this context (the
        log's request id goes along)."""
        if self._executor is None:
            self._executor = ThreadPoolExecutor(self._workers, thread_name_prefix="database")
        context = contextvars.copy_context()
        call = functools.partial(context.run, function, *args, **kwargs)
        return await asyncio.get_running_loop().run_in_executor(self._executor, call)


THREADS = DatabaseThreads()


def threads_for(dialect: str) -> int:
    return SQLITE_THREADS if dialect == "sqlite" else SERVER_THREADS


def use_database_threads(dialect: str) -> None:
    THREADS.resize(threads_for(dialect))


async def in_database(function: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """Run one blocking unit of work on the database threads."""
    return await THREADS.run(function, *args, **kwargs)
