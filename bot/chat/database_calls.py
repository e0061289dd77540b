"""The database worker: service calls (each one transaction) run here, off the event loop.

A small executor of its own, sized to what the database can do at once (one writer for SQLite),
instead of asyncio's shared default pool: calls queue here rather than contend for a lock, and
nothing else in the process (a file download, a slow KDF) waits behind them.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


class DatabaseWorker:
    def __init__(self, workers: int) -> None:
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="database")

    async def __call__(self, function: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self._executor, functools.partial(function, *args, **kwargs)
        )

    def close(self) -> None:
        self._executor.shutdown(wait=True)


async def in_a_thread(function: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """A call on asyncio's default threads: for tests and tools that run no database worker."""
    return await asyncio.to_thread(function, *args, **kwargs)
