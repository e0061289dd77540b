"""Optional py-spy sampling of the bot under test, summarised as its hottest functions."""

from __future__ import annotations

import contextlib
import shutil
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from .process import Child

RATE = 200
TOP = 20


def py_spy() -> str:
    beside = Path(sys.executable).parent / "py-spy"
    found = str(beside) if beside.exists() else shutil.which("py-spy")
    if found is None:
        raise SystemExit("--profile needs py-spy: .venv/bin/pip install py-spy")
    return found


@contextlib.contextmanager
def sampled(child: Child, output: Path | None) -> Iterator[None]:
    """Record the child's stacks (all threads, collapsed format) while the block runs."""
    if output is None:
        yield
        return
    command = [py_spy(), "record", "--pid", str(child.pid), "--rate", str(RATE)]
    spy = subprocess.Popen(
        [*command, "--format", "raw", "--output", str(output), "--function"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield
    finally:
        spy.send_signal(signal.SIGINT)
        spy.wait(timeout=60)


def hottest(collapsed: Path, top: int = TOP) -> str:
    """Functions by samples on the stack (inclusive) and at the top of it (self)."""
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in collapsed.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = [f for f in stack.split(";") if not f.startswith("thread ")]
        total += int(count)
        own[frames[-1]] += int(count)
        for frame in set(frames):
            inclusive[frame] += int(count)
    return "\n".join(
        [
            f"{total} samples",
            "self:",
            *_listing(own, total, top),
            "inclusive:",
            *_listing(inclusive, total, top),
        ]
    )


def _listing(counts: Counter[str], total: int, top: int) -> list[str]:
    return [f"  {n / total:6.1%}  {frame}" for frame, n in counts.most_common(top)]
