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
import random
import re
import shlex
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.intake.loader import load_form

from .databases import DATABASES, Contents, contents
from .figures import MIB, Load, Run, Usage, errors_of, runs_table, table
from .machine import CpuClocks, machine, quiet_machine, revision
from .process import SETTLE_SECONDS, RssSampler
from .profile import hottest, sampled
from .session import Contender, Session, drive, session_with
from .walk import FormPolicy, Pace, PlainPolicy, Policy, floor_policy

COMPLAINANTS_FROM = 1_000_000
DRAFTERS_FROM = 5_000_000
DRAFT_ANSWERS = 3
DRAFTERS_AT_ONCE = 100
IDLE_QUIET = 0.5
IDLE_TIMEOUT = 60.0
SLOWEST = 6
CPU_TARGET_RATIO = 1.5  # CPU per update against the minimal floor, at saturation
RECEIVED_TARGET = 1.1  # times the poller receives each update, on average
FLOORS = ("keyboard", "minimal", "minimal-aiohttp")
DEFAULT_FLOORS = ("keyboard", "minimal")
P99_TARGET_MS = 100.0
FLOOD_FREE_THINK_MS = 1000.0
# Scripted complainants faster than a person would also be paced to a reply a second per chat
# (Telegram's limit, kept by bot.chat.limits); the floors have neither, so both are lifted.
NO_FLOOD_LIMIT = {
    "FLOOD_BURST": "100000",
    "FLOOD_PER_SECOND": "100000",
    "SEND_CHAT_BURST": "100000",
}


@dataclass(frozen=True)
class Options:
    complainants: int
    questions: int | None
    think: tuple[float, float]
    database: str
    seed: int
    open_drafts: list[int] | None
    floors: tuple[str, ...]
    profile: Path | None


def intake_bot(options: Options) -> Contender:
    label = f"intake bot ({options.database})"
    extra = {} if floods_look_human(options) else NO_FLOOD_LIMIT
    policy = FormPolicy(load_form())
    return Contender("intake", label, "bot", ("run",), policy, options.database, extra)


def floods_look_human(options: Options) -> bool:
    """Scripted complainants that answer faster than a person trip the bot's flood control."""
    return options.think[0] >= FLOOD_FREE_THINK_MS


def floor_bot(script: str) -> Contender:
    extra = {"FLOOR_SCRIPT": script}
    label = "keyboard floor"
    return Contender("floor", label, "bench.floor_bot", (), floor_policy, None, extra)


def minimal_bot(updates: int, transport: str | None = None) -> Contender:
    """As many plain messages per walk as the intake walk has updates, one reply to each."""
    policy = PlainPolicy(updates)
    if transport is None:
        return Contender("minimal", "minimal floor", "bench.minimal_bot", (), policy, None)
    extra = {"FLOOR_TRANSPORT": transport}
    label = f"minimal floor ({transport})"
    return Contender("minimal", label, "bench.minimal_bot", (), policy, None, extra)


def pace_of(options: Options, number: int, think: tuple[float, float] | None = None) -> Pace:
    low, high = think or options.think
    return Pace(low, high, random.Random(options.seed * 1_000_003 + number))


async def measure(session: Session, contender: Contender, options: Options, label: str) -> Run:
    child = session.child
    await quiet_machine(child)
    cpu_start, rss_start = child.cpu_seconds(), child.rss()
    clocks = CpuClocks.now(child)
    paces = [pace_of(options, n) for n in range(options.complainants)]
    profile = profile_file(options, label)
    calls_before = len(session.standin.calls)
    returned_before = session.standin.updates_returned
    with RssSampler(child) as sampler, sampled(child, profile):
        walks = await drive(session, contender.policy, paces, COMPLAINANTS_FROM)
        await session.standin.wait_idle(quiet=IDLE_QUIET, timeout=IDLE_TIMEOUT)
    load = Load.of(walks)
    shares = clocks.shares(CpuClocks.now(child))
    usage = Usage(cpu_start, child.cpu_seconds(), rss_start, sampler.peak, shares)
    if profile is not None:
        print(f"\nprofile of {label} ({profile}):\n{hottest(profile)}")
    calls = Counter(call.method for call in session.standin.calls[calls_before:])
    returned = session.standin.updates_returned - returned_before
    return Run(label, load, usage, calls, returned)


def profile_file(options: Options, label: str) -> Path | None:
    if options.profile is None:
        return None
    return options.profile / (re.sub(r"\W+", "-", label).strip("-").lower() + ".txt")


def floor_script(path: str, questions: int | None) -> str:
    """The floor asks the intake walk's answers in order (/start and the send press removed)."""
    answers = path[1:-1]
    if not answers:
        raise SystemExit("no complainant completed the questionnaire on the intake bot")
    count = questions or len(answers)
    return (answers * (count // len(answers) + 1))[:count]


async def compare(options: Options) -> list[Run]:
    real = intake_bot(options)
    async with session_with(real) as session:
        runs = [await measure(session, real, options, real.label)]
    floors = []
    if "keyboard" in options.floors:
        floors.append(floor_bot(floor_script(runs[0].load.path, options.questions)))
    if "minimal" in options.floors:
        floors.append(minimal_bot(len(runs[0].load.path) or 1))
    if "minimal-aiohttp" in options.floors:
        floors.append(minimal_bot(len(runs[0].load.path) or 1, "aiohttp"))
    for floor in floors:
        async with session_with(floor) as session:
            runs.append(await measure(session, floor, options, floor.label))
    return runs


@dataclass(frozen=True)
class DraftsRun:
    drafts: int
    stored: Contents
    seeding: Load
    rss_start: int
    rss_after: int
    probe: Run


async def open_drafts(options: Options, count: int) -> DraftsRun:
    real = intake_bot(options)
    async with session_with(real) as session:
        rss_start = session.child.rss()
        seeding = await seed_drafts(session, real.policy, options, count)
        await session.standin.wait_idle(quiet=IDLE_QUIET, timeout=IDLE_TIMEOUT)
        await asyncio.sleep(SETTLE_SECONDS)
        rss_after = session.child.rss()
        stored = await asyncio.to_thread(contents, str(session.database_url))
        label = f"intake bot ({options.database}), {count} open drafts"
        probe = await measure(session, real, options, label)
    return DraftsRun(count, stored, seeding, rss_start, rss_after, probe)


async def seed_drafts(session: Session, policy: Policy, options: Options, count: int) -> Load:
    """`count` people start a report, answer the first questions, and leave it open."""
    paces = [pace_of(options, n, (0.0, 0.0)) for n in range(count)]
    walks = await drive(
        session, policy, paces, DRAFTERS_FROM, answers=DRAFT_ANSWERS, at_once=DRAFTERS_AT_ONCE
    )
    return Load.of(walks)


async def drafts_series(options: Options, counts: Sequence[int]) -> list[DraftsRun]:
    return [await open_drafts(options, count) for count in counts]


def drafts_table(runs: Sequence[DraftsRun]) -> str:
    header = [
        "open drafts",
        "in database",
        "database MiB",
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
            str(run.stored.drafts),
            f"{run.stored.size / MIB:.1f}",
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
    slowest = ", ".join(f"{step} {ms:.0f}" for step, ms in real.load.slowest_steps(SLOWEST))
    lines = [
        f"intake walk: full track, {describe_path(real.load.path)}",
        f"intake bot's slowest steps (median latency, ms): {slowest}",
        f"latency p99 {p99:.1f} ms: target <= {P99_TARGET_MS:.0f} ms "
        f"(set for 200 complainants on SQLite with think time) {verdict(p99 <= P99_TARGET_MS)} "
        f"in this run ({options.complainants} complainants, {options.database}, "
        f"think {_think(options)} ms)",
    ]
    received = real.returned_per_update()
    lines.append(
        f"updates received per update by the bot's poller: {received:.2f} "
        f"(target <= ~{RECEIVED_TARGET:.1f}: {verdict(received <= RECEIVED_TARGET + 0.005)})"
    )
    for floor in runs[1:]:
        ratio = real.cpu_per_update() / floor.cpu_per_update()
        line = (
            f"CPU per update, intake/{floor.label}: {ratio:.2f}x "
            f"({real.cpu_per_update() * 1000:.2f} / {floor.cpu_per_update() * 1000:.2f} ms)"
        )
        if floor.label == "minimal floor":
            line += (
                f"; target <= {CPU_TARGET_RATIO:.1f}x at saturation: "
                f"{verdict(ratio <= CPU_TARGET_RATIO)}"
            )
        lines.append(line)
    return lines + errors_of(runs)


def _think(options: Options) -> str:
    low, high = options.think
    return f"{low:g}:{high:g}"


def flood_note(options: Options) -> str:
    if floods_look_human(options):
        return "flood control: the bot's defaults"
    limits = ", ".join(f"{k}={v}" for k, v in NO_FLOOD_LIMIT.items())
    return f"flood control and per-chat pacing: lifted ({limits}), as faster think times trip them"


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
    parser.add_argument(
        "--floors",
        nargs="*",
        choices=FLOORS,
        default=list(DEFAULT_FLOORS),
        help="floor bots to measure after the intake bot (default: keyboard minimal; "
        "minimal-aiohttp is the minimal floor on the bot's aiohttp transport)",
    )
    parser.add_argument("--no-floor", action="store_true", help="skip the floor runs")
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
        floors=() if arguments.no_floor else tuple(arguments.floors),
        profile=arguments.profile,
    )


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    options = parse(arguments)
    print(f"command: python -m bench.intake {shlex.join(arguments)}".rstrip())
    print(machine())
    print(revision())
    print(flood_note(options))
    if options.open_drafts is not None:
        report_drafts(options, asyncio.run(drafts_series(options, options.open_drafts)))
    else:
        report_comparison(options, asyncio.run(compare(options)))
    return 0


def report_comparison(options: Options, runs: Sequence[Run]) -> None:
    print(f"\n{options.complainants} complainants, think {_think(options)} ms, {options.database}")
    print(runs_table(runs))
    print("\n".join(["", *conclusions(runs, options)]))


def report_drafts(options: Options, series: Sequence[DraftsRun]) -> None:
    print(
        f"\nRSS as open drafts grow (then a load of {options.complainants} complainants, "
        f"think {_think(options)} ms, {options.database})"
    )
    print(drafts_table(series))
    seeding = [f"seeding {run.drafts}: {error}" for run in series for error in run.seeding.errors]
    print("\n".join([*seeding, *errors_of([run.probe for run in series])]))


if __name__ == "__main__":
    sys.exit(main())
