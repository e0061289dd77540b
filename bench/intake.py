"""Load benchmark of the intake bot against the Bot API stand-in, and the bare-PTB floor.

    python -m bench.intake --complainants N [--questions Q] [--think-ms A:B]
                           [--database sqlite|postgresql] [--seed S]
    python -m bench.intake --open-drafts 0 1000 5000

The stand-in runs in this process; each bot runs as a child process (`python -m bot run`, or
`python -m bench.floor_bot`) so its CPU time and memory are its own. See docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import platform
import random
import shlex
import sys
import tempfile
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import psutil
import yaml

from bot.intake.loader import load_form

from .databases import DATABASES, count_drafts, fresh_database
from .figures import MIB, Load, Run, Usage, errors_of, runs_table, table
from .process import SETTLE_SECONDS, Child, RssSampler, spawn, stop, until_ready
from .profile import hottest, sampled
from .standin import Landings, TimedStandIn
from .walk import Complainant, FormPolicy, Pace, Policy, Walk, floor_policy

TOKEN = "123456789:AAEtesttesttesttesttesttesttest12"  # noqa: S105 - the stand-in's test token
COMPLAINANTS_FROM = 1_000_000
DRAFTERS_FROM = 5_000_000
DRAFT_ANSWERS = 3
DRAFTERS_AT_ONCE = 100
IDLE_QUIET = 0.5
IDLE_TIMEOUT = 60.0
CPU_TARGET_RATIO = 2.0
P99_TARGET_MS = 100.0


@dataclass(frozen=True)
class Options:
    complainants: int
    questions: int | None
    think: tuple[float, float]
    database: str
    seed: int
    open_drafts: list[int] | None
    floor: bool
    profile: Path | None


@dataclass(frozen=True)
class Contender:
    label: str
    module: str
    args: tuple[str, ...]
    policy: Policy
    database: str
    extra: tuple[tuple[str, str], ...] = ()

    def settings(self, api_url: str, data_dir: Path, database_url: str) -> dict[str, str]:
        return {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": api_url,
            "DATA_DIR": str(data_dir),
            "DATABASE_URL": database_url,
            "LOG_LEVEL": "WARNING",
            **dict(self.extra),
        }


@dataclass
class Session:
    standin: TimedStandIn
    landings: Landings
    child: Child
    database_url: str


def intake_bot(database: str) -> Contender:
    return Contender(f"intake bot ({database})", "bot", ("run",), FormPolicy(load_form()), database)


def floor_bot(script: str) -> Contender:
    return Contender(
        "PTB floor", "bench.floor_bot", (), floor_policy, "sqlite", (("FLOOR_SCRIPT", script),)
    )


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


def pace_of(options: Options, number: int, think: tuple[float, float] | None = None) -> Pace:
    low, high = think or options.think
    return Pace(low, high, random.Random(options.seed * 1_000_003 + number))


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


async def measure(session: Session, policy: Policy, options: Options, label: str) -> Run:
    child, generator = session.child, psutil.Process()
    cpu_start, rss_start = child.cpu_seconds(), child.rss()
    generator_start = _cpu(generator)
    paces = [pace_of(options, n) for n in range(options.complainants)]
    profile = options.profile / f"{label.split()[0]}.txt" if options.profile else None
    with RssSampler(child) as sampler, sampled(child, profile):
        walks = await drive(session, policy, paces, COMPLAINANTS_FROM)
        await session.standin.wait_idle(quiet=IDLE_QUIET, timeout=IDLE_TIMEOUT)
    load = Load.of(walks)
    generator_cpu = (_cpu(generator) - generator_start) / load.seconds if load.seconds else 0.0
    usage = Usage(cpu_start, child.cpu_seconds(), rss_start, sampler.peak, generator_cpu)
    if profile is not None:
        print(f"\nprofile of {label} ({profile}):\n{hottest(profile)}")
    return Run(label, load, usage)


def _cpu(process: psutil.Process) -> float:
    times = process.cpu_times()
    return float(times.user + times.system)


def floor_script(path: str, questions: int | None) -> str:
    """The floor asks the intake walk's answers in order (/start and the send press removed)."""
    answers = path[1:-1]
    if not answers:
        raise SystemExit("no complainant completed the questionnaire on the intake bot")
    count = questions or len(answers)
    return (answers * (count // len(answers) + 1))[:count]


async def compare(options: Options) -> list[Run]:
    real = intake_bot(options.database)
    async with session_with(real) as session:
        runs = [await measure(session, real.policy, options, real.label)]
    if options.floor:
        floor = floor_bot(floor_script(runs[0].load.path, options.questions))
        async with session_with(floor) as session:
            runs.append(await measure(session, floor.policy, options, floor.label))
    return runs


@dataclass(frozen=True)
class DraftsRun:
    drafts: int
    stored: int
    seeding: Load
    rss_start: int
    rss_after: int
    probe: Run


async def open_drafts(options: Options, count: int) -> DraftsRun:
    real = intake_bot(options.database)
    async with session_with(real) as session:
        rss_start = session.child.rss()
        paces = [pace_of(options, n, (0.0, 0.0)) for n in range(count)]
        seeding = Load.of(
            await drive(
                session,
                real.policy,
                paces,
                DRAFTERS_FROM,
                answers=DRAFT_ANSWERS,
                at_once=DRAFTERS_AT_ONCE,
            )
        )
        await session.standin.wait_idle(quiet=IDLE_QUIET, timeout=IDLE_TIMEOUT)
        await asyncio.sleep(SETTLE_SECONDS)
        rss_after = session.child.rss()
        stored = await asyncio.to_thread(count_drafts, session.database_url)
        probe = await measure(session, real.policy, options, f"intake bot, {count} drafts")
    return DraftsRun(count, stored, seeding, rss_start, rss_after, probe)


async def drafts_series(options: Options, counts: Sequence[int]) -> list[DraftsRun]:
    return [await open_drafts(options, count) for count in counts]


def drafts_table(runs: Sequence[DraftsRun]) -> str:
    header = [
        "open drafts",
        "in database",
        "seeding upd/s",
        "RSS start MiB",
        "RSS after drafts MiB",
        "peak RSS under load MiB",
        "load p99 ms",
        "CPU/questionnaire ms",
    ]
    rows = [
        [
            str(run.drafts),
            str(run.stored),
            f"{run.seeding.per_second:.1f}",
            f"{run.rss_start / MIB:.1f}",
            f"{run.rss_after / MIB:.1f}",
            f"{run.probe.usage.rss_peak / MIB:.1f}",
            f"{run.probe.load.percentile_ms(99):.1f}",
            f"{run.probe.cpu_per_questionnaire() * 1000:.1f}",
        ]
        for run in runs
    ]
    return table(header, rows)


def describe_path(path: str) -> str:
    answers = path[1:-1]
    return (
        f"{len(path)} updates per questionnaire: /start, {answers.count('t')} typed, "
        f"{answers.count('p')} pressed, then the send button"
    )


def verdict(met: bool) -> str:
    return "met" if met else "NOT met"


def conclusions(runs: Sequence[Run], options: Options) -> list[str]:
    real = runs[0]
    p99 = real.load.percentile_ms(99)
    lines = [
        f"intake walk: full track, {describe_path(real.load.path)}",
        f"latency p99 {p99:.1f} ms: target <= {P99_TARGET_MS:.0f} ms "
        f"(set for 200 complainants on SQLite with think time) {verdict(p99 <= P99_TARGET_MS)} "
        f"in this run ({options.complainants} complainants, {options.database}, "
        f"think {_think(options)} ms)",
    ]
    if len(runs) > 1:
        ratio = real.cpu_per_questionnaire() / runs[1].cpu_per_questionnaire()
        lines.append(
            f"CPU per questionnaire, intake/floor: {ratio:.2f}x "
            f"(target <= {CPU_TARGET_RATIO:.0f}x: {verdict(ratio <= CPU_TARGET_RATIO)})"
        )
    return lines + errors_of(runs)


def _think(options: Options) -> str:
    low, high = options.think
    return f"{low:g}:{high:g}"


def machine() -> str:
    return (
        f"machine: {os.cpu_count()} CPUs, {psutil.virtual_memory().total / 2**30:.0f} GiB, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}"
    )


def think_range(text: str) -> tuple[float, float]:
    low, _, high = text.partition(":")
    try:
        bounds = float(low), float(high or low)
    except ValueError:
        raise argparse.ArgumentTypeError("expected A:B in milliseconds, e.g. 1000:3000") from None
    if not 0 <= bounds[0] <= bounds[1]:
        raise argparse.ArgumentTypeError("expected 0 <= A <= B")
    return bounds


def parse(argv: Sequence[str] | None) -> Options:
    parser = argparse.ArgumentParser(
        prog="python -m bench.intake", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--complainants", type=int, default=50, help="concurrent complainants")
    parser.add_argument(
        "--questions",
        type=int,
        help="questions the floor bot asks (default: as many as the intake walk answers)",
    )
    parser.add_argument("--think-ms", type=think_range, default=(0.0, 0.0), metavar="A:B")
    parser.add_argument("--database", choices=DATABASES, default="sqlite")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--open-drafts",
        type=int,
        nargs="+",
        metavar="K",
        help="measure RSS with K open drafts in the database (a fresh bot for each K)",
    )
    parser.add_argument("--no-floor", action="store_true", help="skip the framework floor run")
    parser.add_argument("--profile", type=Path, metavar="DIR", help="py-spy the bots into DIR")
    arguments = parser.parse_args(argv)
    if arguments.profile:
        arguments.profile.mkdir(parents=True, exist_ok=True)
    return Options(
        complainants=arguments.complainants,
        questions=arguments.questions,
        think=arguments.think_ms,
        database=arguments.database,
        seed=arguments.seed,
        open_drafts=arguments.open_drafts,
        floor=not arguments.no_floor,
        profile=arguments.profile,
    )


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    options = parse(arguments)
    print(f"command: python -m bench.intake {shlex.join(arguments)}".rstrip())
    print(machine())
    if options.open_drafts is not None:
        series = asyncio.run(drafts_series(options, options.open_drafts))
        print(
            f"\nRSS as open drafts grow (load after seeding: {options.complainants} "
            f"complainants, think {_think(options)} ms, {options.database})"
        )
        print(drafts_table(series))
        return 0
    runs = asyncio.run(compare(options))
    print(f"\n{options.complainants} complainants, think {_think(options)} ms, {options.database}")
    print(runs_table(runs))
    print("\n".join(["", *conclusions(runs, options)]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
