"""The bot under test as a child process: start, readiness, CPU time, RSS sampling, stop."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import psutil

from .standin import TimedStandIn

PROJECT_ROOT = Path(__file__).resolve().parent.parent
READY_TIMEOUT = 60.0
STOP_TIMEOUT = 30.0
SETTLE_SECONDS = 1.0
LOG_TAIL = 2000


@dataclass
class Child:
    popen: subprocess.Popen[bytes]
    process: psutil.Process
    log: Path

    @property
    def pid(self) -> int:
        return self.popen.pid

    def cpu_seconds(self) -> float:
        times = self.process.cpu_times()
        return float(times.user + times.system)

    def rss(self) -> int:
        return int(self.process.memory_info().rss)

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-LOG_TAIL:]


def child_env(settings: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_"))}
    path = os.pathsep.join(p for p in (str(PROJECT_ROOT), env.get("PYTHONPATH")) if p)
    return env | {"PYTHONPATH": path, "NO_PROXY": "127.0.0.1,localhost"} | settings


def spawn(module: str, args: list[str], settings: dict[str, str], workdir: Path) -> Child:
    log = workdir / f"{module}.log"
    with log.open("wb") as output:
        popen = subprocess.Popen(
            [sys.executable, "-m", module, *args],
            env=child_env(settings),
            cwd=workdir,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    return Child(popen, psutil.Process(popen.pid), log)


async def until_ready(standin: TimedStandIn, child: Child) -> None:
    """Wait until the bot polls for updates, then let its startup work settle."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + READY_TIMEOUT
    while standin.get_updates_calls() == 0:
        if child.popen.poll() is not None:
            raise RuntimeError(f"the bot exited during startup:\n{child.log_tail()}")
        if loop.time() > deadline:
            raise TimeoutError(f"the bot did not poll within {READY_TIMEOUT:.0f} s")
        await asyncio.sleep(0.05)
    await asyncio.sleep(SETTLE_SECONDS)


async def stop(child: Child) -> None:
    if child.popen.poll() is not None:
        return
    child.popen.send_signal(signal.SIGTERM)
    try:
        await asyncio.to_thread(child.popen.wait, STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        child.popen.kill()
        await asyncio.to_thread(child.popen.wait)


class RssSampler:
    """Peak RSS of a process, sampled from a thread so a busy event loop does not skew it."""

    def __init__(self, child: Child, every: float = 0.1) -> None:
        self.peak = child.rss()
        self._child = child
        self._every = every
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stopped.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stopped.wait(self._every):
            try:
                self.peak = max(self.peak, self._child.rss())
            except psutil.Error:
                return
