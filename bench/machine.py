"""The machine the benchmark runs on, shared with other work: CPU accounting and quiet time."""

from __future__ import annotations

import asyncio
import os
import platform
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

from .process import PROJECT_ROOT, Child

QUIET_CORES = 0.2
QUIET_PATIENCE = 120.0
MACHINE_BUSY = ("user", "nice", "system", "irq", "softirq")


@dataclass(frozen=True)
class CpuClocks:
    """CPU seconds used so far by the bot, by this process, and by the whole machine."""

    wall: float
    bot: float
    generator: float
    database: float
    machine: float

    @classmethod
    def now(cls, child: Child) -> CpuClocks:
        machine = psutil.cpu_times()
        busy = sum(getattr(machine, name, 0.0) for name in MACHINE_BUSY)
        own = _cpu(psutil.Process())
        return cls(time.perf_counter(), child.cpu_seconds(), own, _postgres_cpu(), busy)

    def shares(self, later: CpuClocks) -> Shares:
        """CPU used meanwhile, in cores: by this process, PostgreSQL, and everything else."""
        seconds = later.wall - self.wall
        generator = later.generator - self.generator
        database = max(0.0, later.database - self.database)
        others = later.machine - self.machine - generator - database - (later.bot - self.bot)
        return Shares(generator / seconds, database / seconds, max(0.0, others) / seconds)


@dataclass(frozen=True)
class Shares:
    generator: float
    database: float
    others: float


def _cpu(process: psutil.Process) -> float:
    times = process.cpu_times()
    return float(times.user + times.system)


def _postgres_cpu() -> float:
    """CPU of the PostgreSQL server's processes (its backends live as long as their
    connections, which the bot's pool keeps open)."""
    total = 0.0
    for process in psutil.process_iter(["name"]):
        if process.info["name"] == "postgres":
            try:
                total += _cpu(process)
            except psutil.Error:
                continue
    return total


async def quiet_machine(child: Child) -> None:
    """On a shared machine, wait a while for other processes to calm down before measuring."""
    waited = 0.0
    while True:
        before = CpuClocks.now(child)
        await asyncio.sleep(1.0)
        others = before.shares(CpuClocks.now(child)).others
        waited += 1.0
        if others < QUIET_CORES or waited >= QUIET_PATIENCE:
            break
    if waited > 1.0:
        print(f"waited {waited:.0f} s for other processes to calm down ({others:.0%} of a core)")


def machine() -> str:
    return (
        f"machine: {os.cpu_count()} CPUs ({_cpu_model()}), "
        f"{psutil.virtual_memory().total / 2**30:.0f} GiB, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}"
    )


def _cpu_model() -> str:
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
    except OSError:
        return platform.processor() or "unknown CPU"
    names = (line.partition(":")[2].strip() for line in lines if line.startswith("model name"))
    return next(names, "unknown CPU")


def revision() -> str:
    """The commit the bot was measured at, and whether the tree had uncommitted changes."""
    try:
        commit = _git("rev-parse", "--short", "HEAD").strip()
        dirty = _git("status", "--porcelain", "--", "bot", "storage")
    except (OSError, subprocess.CalledProcessError):
        return "bot revision: unknown"
    return f"bot revision: {commit}" + (" with uncommitted changes" if dirty else "")


def _git(*args: str) -> str:
    command = ["git", "-C", str(PROJECT_ROOT), *args]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout
