"""Figures of a run and the tables printed at the end."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .machine import Shares
from .walk import Walk

MIB = 1024 * 1024
POLL = "getUpdates"


@dataclass(frozen=True)
class Load:
    """What the complainants saw: updates sent, reply latencies, completed questionnaires, and
    the path of a completed walk ('t' typed, 'p' pressed, one letter per update)."""

    complainants: int
    completed: int
    updates: int
    seconds: float
    latencies: list[float]
    errors: Counter[str]
    path: str
    by_step: dict[str, list[float]]

    @classmethod
    def of(cls, walks: Sequence[Walk]) -> Load:
        starts = [w.first_sent for w in walks if w.first_sent is not None]
        ends = [w.last_landed for w in walks if w.last_landed is not None]
        latencies = sorted(latency for w in walks for latency in w.latencies)
        return cls(
            complainants=len(walks),
            completed=sum(w.completed for w in walks),
            updates=len(latencies),
            seconds=max(ends) - min(starts) if starts and ends else 0.0,
            latencies=latencies,
            errors=Counter(w.error for w in walks if w.error),
            path=next(("".join(w.kinds) for w in walks if w.completed), ""),
            by_step=_by_step(walks),
        )

    @property
    def per_second(self) -> float:
        return self.updates / self.seconds if self.seconds else 0.0

    def percentile_ms(self, percent: float) -> float:
        return _percentile_ms(self.latencies, percent)

    def slowest_steps(self, count: int) -> list[tuple[str, float]]:
        """The steps with the highest median latency, in ms."""
        medians = [(step, _percentile_ms(times, 50)) for step, times in self.by_step.items()]
        return sorted(medians, key=lambda item: item[1], reverse=True)[:count]


def _percentile_ms(ordered: Sequence[float], percent: float) -> float:
    if not ordered:
        return math.nan
    rank = max(1, math.ceil(percent / 100 * len(ordered)))
    return ordered[rank - 1] * 1000


def _by_step(walks: Sequence[Walk]) -> dict[str, list[float]]:
    by_step: defaultdict[str, list[float]] = defaultdict(list)
    for walk in walks:
        for step, latency in zip(walk.steps, walk.latencies, strict=True):
            by_step[step].append(latency)
    return {step: sorted(times) for step, times in by_step.items()}


@dataclass(frozen=True)
class Usage:
    """What the bot process used (CPU seconds at the start and end of the load, RSS), and the
    CPU share of everything else on the machine meanwhile."""

    cpu_start: float
    cpu_end: float
    rss_start: int
    rss_peak: int
    shares: Shares

    @property
    def cpu_load(self) -> float:
        return self.cpu_end - self.cpu_start


@dataclass(frozen=True)
class Run:
    label: str
    load: Load
    usage: Usage
    api_calls: Counter[str]
    updates_returned: int

    def returned_per_update(self) -> float:
        """Updates getUpdates returned per update sent: above 1, the bot decoded some again."""
        return self.updates_returned / self.load.updates if self.load.updates else math.nan

    def calls_per_update(self, polls: bool) -> float:
        calls = sum(n for method, n in self.api_calls.items() if (method == POLL) == polls)
        return calls / self.load.updates if self.load.updates else math.nan

    def cpu_per_update(self) -> float:
        return self.usage.cpu_load / self.load.updates if self.load.updates else math.nan

    def cpu_per_questionnaire(self) -> float:
        return self.usage.cpu_load / self.load.completed if self.load.completed else math.nan

    def total_cpu_per_questionnaire(self) -> float:
        return self.usage.cpu_end / self.load.completed if self.load.completed else math.nan


Row = tuple[str, Callable[[Run], str]]
ROWS: list[Row] = [
    ("complainants (completed)", lambda r: f"{r.load.complainants} ({r.load.completed})"),
    ("updates sent", lambda r: f"{r.load.updates}"),
    ("measured interval, s", lambda r: f"{r.load.seconds:.1f}"),
    ("updates/s", lambda r: f"{r.load.per_second:.1f}"),
    ("latency p50, ms", lambda r: f"{r.load.percentile_ms(50):.1f}"),
    ("latency p95, ms", lambda r: f"{r.load.percentile_ms(95):.1f}"),
    ("latency p99, ms", lambda r: f"{r.load.percentile_ms(99):.1f}"),
    ("latency max, ms", lambda r: f"{r.load.percentile_ms(100):.1f}"),
    ("Bot API calls per update", lambda r: f"{r.calls_per_update(polls=False):.2f}"),
    ("getUpdates calls per update", lambda r: f"{r.calls_per_update(polls=True):.2f}"),
    ("updates received per update (poller)", lambda r: f"{r.returned_per_update():.2f}"),
    ("bot CPU during load, s", lambda r: f"{r.usage.cpu_load:.2f}"),
    ("bot CPU per update, ms", lambda r: f"{r.cpu_per_update() * 1000:.2f}"),
    ("bot CPU per questionnaire, ms", lambda r: f"{r.cpu_per_questionnaire() * 1000:.1f}"),
    ("  incl. startup, ms", lambda r: f"{r.total_cpu_per_questionnaire() * 1000:.1f}"),
    ("bot RSS at start, MiB", lambda r: f"{r.usage.rss_start / MIB:.1f}"),
    ("bot peak RSS, MiB", lambda r: f"{r.usage.rss_peak / MIB:.1f}"),
    ("load generator CPU, % of a core", lambda r: f"{r.usage.shares.generator * 100:.0f}"),
    ("PostgreSQL server CPU, % of a core", lambda r: f"{r.usage.shares.database * 100:.0f}"),
    ("other processes CPU, % of a core", lambda r: f"{r.usage.shares.others * 100:.0f}"),
]


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(line[i]) for line in [header, *rows]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        first, *rest = cells
        return "  ".join(
            [first.ljust(widths[0]), *(c.rjust(w) for c, w in zip(rest, widths[1:], strict=True))]
        )

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(header), rule, *(line(r) for r in rows)])


def runs_table(runs: Sequence[Run]) -> str:
    header = ["", *(run.label for run in runs)]
    return table(header, [[name, *(show(run) for run in runs)] for name, show in ROWS])


def errors_of(runs: Sequence[Run]) -> list[str]:
    return [
        f"{run.label}: {count} complainant(s): {error}"
        for run in runs
        for error, count in run.load.errors.most_common()
    ]
