"""End-to-end support: the real Application against the Bot API stand-in, and scripted people."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import secrets
import signal
import string
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml
from sqlalchemy import Engine, inspect, select, text

from bot.app import Runtime
from bot.config import Settings
from bot.i18n import Catalogs, Translator
from bot.intake.form import Form, Question
from bot.intake.loader import load_form
from bot.lifecycle import serve
from storage.sealing import new_identity
from tests.standin import BotApiStandIn, SimGroup, SimUser
from tests.standin.views import MessageView

TOKEN = "123456789:AAEtesttesttesttesttesttesttest12"
CATALOGS = Catalogs.load()
FORM = load_form()
SCRIPTED_CHAT_BURST = 100_000


COALITIONS: tuple[tuple[str, str, list[str]], ...] = (
    ("kz", "NGO Coalition against Torture in Kazakhstan", ["KZ"]),
    ("kg", "NGO Coalition against Torture in Kyrgyzstan", ["KG"]),
    ("tj", "Coalition against Torture and Impunity in Tajikistan", ["TJ"]),
    ("uz", "AHRCA", ["UZ"]),
    ("tm", "TIHR", ["TM"]),
    ("intl", "International partner", []),
)


@dataclass(frozen=True)
class StaffTeam:
    """A coalition as the tests hold it: its staff chat, one staff member and their secret key."""

    coalition_id: str
    name: str
    chat: SimGroup
    member: SimUser
    identity: str
    public_key: str


def make_coalitions(standin: BotApiStandIn, folder: Path) -> tuple[Path, dict[str, StaffTeam]]:
    teams: dict[str, StaffTeam] = {}
    entries = []
    for number, (coalition_id, name, countries) in enumerate(COALITIONS, start=1):
        chat = standin.group(-1002000000000 - number, f"{coalition_id} staff")
        member = standin.user(
            person_id(90_000 + number), f"Staff {coalition_id}", language_code="ru"
        )
        secret, public = new_identity()
        teams[coalition_id] = StaffTeam(coalition_id, name, chat, member, secret, public)
        entries.append(
            {
                "id": coalition_id,
                "name": name,
                "countries": countries,
                "staff_chat_id": chat.chat_id,
                "staff_user_ids": [member.user_id],
                "recipients": [public],
                **({} if countries else {"reference_code": "XX"}),
            }
        )
    path = folder / "coalitions.yaml"
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump({"coalitions": entries, "fallback": "intl"}), encoding="utf-8")
    return path, teams


def settings_for(
    standin: BotApiStandIn,
    data_dir: Path,
    database_url: str,
    coalitions_file: Path | None = None,
    *,
    flood_burst: int = 10_000,
) -> Settings:
    """Scripted people answer far faster than anyone can; flood control and the per-chat send
    pace are tested on their own (tests/test_flood.py, tests/test_send_limits.py)."""
    return Settings(
        telegram_bot_token=TOKEN,
        telegram_api_url=standin.url,
        data_dir=data_dir,
        database_url=database_url,
        coalitions_file=coalitions_file,
        flood_burst=flood_burst,
        send_chat_burst=SCRIPTED_CHAT_BURST,
        _env_file=None,
    )


@contextlib.asynccontextmanager
async def running_bot(settings: Settings) -> AsyncIterator[Runtime]:
    runtime = Runtime(settings)
    await asyncio.to_thread(runtime.upgrade_database)
    stop = asyncio.Event()
    task = asyncio.create_task(serve(runtime, stop))
    try:
        yield runtime
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)
        runtime.database.dispose()


RUNNING: list[asyncio.subprocess.Process] = []


def kill_leftovers() -> None:
    """Kill bot processes a failed test left behind."""
    while RUNNING:
        process = RUNNING.pop()
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.kill()


class BotProcess:
    """`complaint-bot run` in a child process, as an operator would start it."""

    args: tuple[str, ...] = ("run",)
    stop_seconds = 30.0

    def __init__(
        self,
        standin: BotApiStandIn,
        data_dir: Path,
        database_url: str,
        coalitions_file: Path | None = None,
        log_level: str = "WARNING",
    ) -> None:
        env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": standin.url,
            "DATA_DIR": str(data_dir),
            "DATABASE_URL": database_url,
            "LOG_LEVEL": log_level,
            "DELIVERY_LEASE_SECONDS": "2",
            "FLOOD_BURST": "10000",
            "SEND_CHAT_BURST": str(SCRIPTED_CHAT_BURST),
        }
        if coalitions_file is not None:
            env["COALITIONS_FILE"] = str(coalitions_file)
        self._use(env)

    def _use(self, env: dict[str, str]) -> None:
        self.env = env
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", *self.args, env=self.env, stderr=asyncio.subprocess.PIPE
        )
        RUNNING.append(self.process)

    async def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        await self.process.wait()

    async def stop(self) -> str:
        """SIGTERM (unless it has ended already), then its standard error."""
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            await asyncio.wait_for(self.process.wait(), self.stop_seconds)
        assert self.process.stderr is not None
        return (await self.process.stderr.read()).decode()


# A scripted answer: a choice code, a list of codes (multiple choice), typed text, a photo, "skip",
# or a coroutine function that acts on the complainant.
Answer = str | list[str] | bytes | Callable[["Complainant"], Awaitable[object]]


@dataclass
class Complainant:
    """Someone in front of a phone: reads the newest bot message and presses or types."""

    standin: BotApiStandIn
    user: SimUser
    language: str
    form: Form = FORM
    quiet: float = 0.05

    @property
    def t(self) -> Translator:
        return CATALOGS.translator(self.language)

    async def settle(self) -> MessageView:
        await self.standin.wait_idle(quiet=self.quiet, timeout=20)
        message = self.user.last_bot_message()
        assert message is not None, "the bot said nothing"
        return message

    async def command(self, name: str, args: str = "") -> MessageView:
        await self.user.send_command(name, args)
        return await self.settle()

    async def say(self, words: str) -> MessageView:
        await self.user.send_text(words)
        return await self.settle()

    async def press(self, label: str) -> MessageView:
        await self.user.press(label)
        return await self.settle()

    async def choose(self, question: Question, code: str) -> MessageView:
        label = next(c.label for c in self.form.choices_for(question) if c.code == code)
        return await self.press(self.t.gettext(label))

    async def toggle_all(self, question: Question, codes: list[str]) -> MessageView:
        for code in codes:
            label = next(c.label for c in self.form.choices_for(question) if c.code == code)
            await self.press("▫️ " + self.t.gettext(label))
        return await self.press("✔️ " + self.t.gettext("Done"))

    async def skip(self) -> MessageView:
        return await self.press(self.t.gettext("Skip") + " ⏭")

    def question_on_screen(self) -> Question | None:
        message = self.user.last_bot_message()
        if message is None or (not message.buttons and message.text is None):
            return None
        shown = message.content
        if "✅ " + self.t.gettext("Send the report") in message.labels:
            return None
        matches = [
            (len(text), q)
            for q in self.form.questions()
            if q.answerable
            for text in (q.text, q.text_self)
            if text and self.t.gettext(text) in shown
        ]
        return max(matches, key=lambda pair: pair[0])[1] if matches else None

    async def answer(self, question: Question, answer: Answer) -> MessageView:
        if callable(answer):
            await answer(self)
            return await self.settle()
        if answer == "skip":
            return await self.skip()
        if isinstance(answer, bytes):
            await self.user.send_photo(answer)
            await self.settle()
            return await self.press("✔️ " + self.t.gettext("Done"))
        if isinstance(answer, list):
            return await self.toggle_all(question, answer)
        if question.type == "single":
            return await self.choose(question, answer)
        return await self.say(answer)

    async def walk(self, script: Mapping[str, Answer], *, stop_at: str | None = None) -> list[str]:
        """Answer each question on screen from the script (skip the rest) until the review."""
        asked: list[str] = []
        while (question := self.question_on_screen()) is not None:
            if question.id == stop_at:
                break
            assert question.id not in asked[-1:], f"{question.id} asked twice in a row"
            asked.append(question.id)
            await self.answer(question, script.get(question.id, "skip"))
        return asked


def every_stored_value(engine: Engine) -> list[tuple[str, str, object]]:
    """Every value of every column of every table, for plaintext scans."""
    found: list[tuple[str, str, object]] = []
    with engine.connect() as connection:
        for table in inspect(connection).get_table_names():
            rows = connection.execute(text(f'SELECT * FROM "{table}"'))
            for row in rows.mappings():
                found.extend((table, column, value) for column, value in row.items())
    return found


def person_id(seed: int) -> int:
    """A realistic Telegram user id (10 digits) for a test person, distinct per seed.

    Staff of the test coalitions use seeds from 90_000: keep people's seeds below that.
    """
    return 6_100_000_000 + seed * 1_000_003


def named(first_name: str) -> str:
    """A first name with a random tail, so no scan can find it in a stored value by chance."""
    tail = "".join(secrets.choice(string.ascii_lowercase) for _ in range(8))
    return f"{first_name} {tail.capitalize()}"


def plaintext_hits(engine: Engine, needles: list[str | int]) -> list[tuple[str, str, str]]:
    """Where any of the needles appears in any stored value. Text matches anywhere, ignoring
    case; an integer id only as a whole number (a digit on either side is another number)."""
    hits = []
    for table, column, value in every_stored_value(engine):
        blob = value if isinstance(value, bytes) else str(value).encode()
        for needle in needles:
            if isinstance(needle, int):
                found = value == needle or bool(re.search(rb"(?<!\d)%d(?!\d)" % needle, blob))
            else:
                found = needle.encode() in blob or needle.lower().encode() in blob.lower()
            if found:
                hits.append((table, column, str(needle)))
    return hits


def table_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            name: len(connection.execute(select(text("1")).select_from(text(f'"{name}"'))).all())
            for name in inspect(connection).get_table_names()
        }


def sealed_files(team: StaffTeam) -> list[MessageView]:
    """The sealed files in a staff chat (each comes after its signed receipt, `.age.minisig`)."""
    return [m for m in team.chat.messages if (m.document_name or "").endswith(".age")]
