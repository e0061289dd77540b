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
# A sample counts for the first component with a frame on its stack, in this order.
COMPONENTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("httpcore's failed `import sniffio`", ("current_async_library (httpcore",)),
    (
        "HTTP client (httpx, httpcore, h11, anyio, aiohttp)",
        ("(httpx/", "(httpcore/", "(h11/", "(anyio/", "(aiohttp/", "(bot/chat/telegram_request"),
    ),
    ("SQLAlchemy and the sqlite3/psycopg drivers", ("(sqlalchemy/", "(psycopg/", "(sqlite3/")),
    (
        "sealing (storage.at_rest, storage.sealing, pyrage)",
        ("(storage/at_rest", "(storage/sealing"),
    ),
    ("intake engine (bot.intake)", ("(bot/intake/",)),
    ("screens and translations (bot.chat.screens, bot.i18n)", ("(bot/chat/screens", "(bot/i18n")),
    ("python-telegram-bot (objects, dispatch)", ("(telegram/",)),
    ("asyncio event loop and threads", ("(asyncio/", "(concurrent/", "(threading")),
)


def py_spy() -> str:
    beside = Path(sys.executable).parent / "py-spy"
    found = str(beside) if beside.exists() else shutil.which("py-spy")
    if found is None:
        raise SystemExit("--profile needs py-spy: .venv/bin/pip install py-spy")
    return found


@contextlib.contextmanager
def sampled(child: Child, output: Path | None) -> Iterator[None]:
    """Record the child's stacks while the block runs, in collapsed format.

    Only the thread holding the GIL is sampled: this environment's py-spy cannot tell idle
    threads apart, and Python-level CPU is what matters here. C code that releases the GIL
    (SQLite executing a statement, AES) is therefore not attributed.
    """
    if output is None:
        yield
        return
    command = [py_spy(), "record", "--pid", str(child.pid), "--rate", str(RATE)]
    spy = subprocess.Popen(
        [*command, "--format", "raw", "--output", str(output), "--function", "--gil"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield
    finally:
        spy.send_signal(signal.SIGINT)
        spy.wait(timeout=60)


def hottest(collapsed: Path, top: int = TOP) -> str:
    """Samples by component, and functions by samples at the top of the stack (self)."""
    components: Counter[str] = Counter()
    own: Counter[str] = Counter()
    for stack, count in _stacks(collapsed):
        components[_component(stack)] += count
        own[stack.rsplit(";", 1)[-1]] += count
    total = sum(own.values())
    return "\n".join(
        [
            f"{total} samples (GIL holder)",
            "by component:",
            *_listing(components, total, top),
            "by function (self):",
            *_listing(own, total, top),
        ]
    )


def _stacks(collapsed: Path) -> Iterator[tuple[str, int]]:
    for line in collapsed.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            yield stack, int(count)


def _component(stack: str) -> str:
    for name, markers in COMPONENTS:
        if any(marker in stack for marker in markers):
            return name
    return "other"


def _listing(counts: Counter[str], total: int, top: int) -> list[str]:
    return [f"  {n / total:6.1%}  {frame}" for frame, n in counts.most_common(top)]
