"""A bot under test: a fresh stand-in and database, the bot as a child process, and complainants
driven against it."""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .databases import fresh_database
from .process import Child, spawn, stop, until_ready
from .standin import Landings, TimedStandIn
from .walk import Complainant, Pace, Policy, Walk

TOKEN = "123456789:AAEtesttesttesttesttesttesttest12"  # noqa: S105 - the stand-in's test token


@dataclass(frozen=True)
class Contender:
    """A bot to measure: the module its child process runs, and how complainants answer it."""

    name: str
    label: str
    module: str
    args: tuple[str, ...]
    policy: Policy
    database: str | None
    extra: dict[str, str] = field(default_factory=dict)

    def settings(self, api_url: str, data_dir: Path, database_url: str | None) -> dict[str, str]:
        database = {"DATABASE_URL": database_url} if database_url else {}
        basics = {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": api_url, "LOG_LEVEL": "WARNING"}
        return basics | {"DATA_DIR": str(data_dir)} | database | self.extra


@dataclass
class Session:
    standin: TimedStandIn
    landings: Landings
    child: Child
    database_url: str | None


@contextlib.asynccontextmanager
async def session_with(contender: Contender) -> AsyncIterator[Session]:
    with tempfile.TemporaryDirectory(prefix="bench-") as workdir:
        data_dir = Path(workdir) / "data"
        with fresh_database(contender.database, data_dir) as database_url:
            landings = Landings()
            standin = TimedStandIn(TOKEN, landings)
            async with standin:
                settings = contender.settings(standin.url, data_dir, database_url)
                child = spawn(contender.module, list(contender.args), settings, Path(workdir))
                try:
                    await until_ready(standin, child)
                    add_staff_chats(standin, data_dir)
                    yield Session(standin, landings, child, database_url)
                finally:
                    await stop(child)


def add_staff_chats(standin: TimedStandIn, data_dir: Path) -> None:
    """Let the bot deliver sealed cases: create the staff groups of its demo coalitions."""
    demo = data_dir / "coalitions.demo.yaml"
    if not demo.exists():
        return
    for coalition in yaml.safe_load(demo.read_text()).get("coalitions", []):
        standin.group(int(coalition["staff_chat_id"]), str(coalition.get("name", "staff")))


async def drive(
    session: Session,
    policy: Policy,
    paces: Sequence[Pace],
    first_user: int,
    *,
    answers: int | None = None,
    at_once: int | None = None,
) -> list[Walk]:
    slots = asyncio.Semaphore(at_once or max(1, len(paces)))

    async def one(number: int, pace: Pace) -> Walk:
        user = session.standin.user(first_user + number, f"Complainant {number}", "en")
        await pace.arrive()
        async with slots:
            return await Complainant(user, session.landings, policy, pace).walk(answers)

    return list(await asyncio.gather(*(one(n, pace) for n, pace in enumerate(paces))))
