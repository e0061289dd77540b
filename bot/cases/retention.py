"""Retention: closed cases are purged after their coalition's period, and staff are warned first."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.cases.coalitions import CoalitionDirectory
from bot.cases.ports import CaseUnitOfWork
from bot.cases.vocabulary import DeliveryKind

WARN_BEFORE = dt.timedelta(days=7)


@dataclass
class RetentionRound:
    warned: list[str] = field(default_factory=list)
    purged: list[str] = field(default_factory=list)


class Retention:
    def __init__(self, units: Callable[[], CaseUnitOfWork], directory: CoalitionDirectory) -> None:
        self._units = units
        self._directory = directory

    def run(self, now: dt.datetime, *, dry_run: bool = False) -> RetentionRound:
        """Warn the staff chat a week ahead; purge once the period is over and the warning is a
        week old (a late warning postpones the purge rather than surprising anyone)."""
        today = now.date()
        done = RetentionRound()
        with self._units() as unit:
            for case, warned_on in unit.cases.closed():
                coalition = self._directory.find(case.coalition_id)
                if coalition is None or case.closed_on is None:
                    continue
                purge_on = case.closed_on + dt.timedelta(days=coalition.retention_days)
                if warned_on is None and today >= purge_on - WARN_BEFORE:
                    done.warned.append(case.reference)
                    if not dry_run:
                        unit.cases.mark_warned(case.reference, today)
                        unit.outbox.enqueue(
                            case.reference, -1, coalition.staff_chat_id, now,
                            kind=DeliveryKind.PURGE_WARNING,
                        )  # fmt: skip
                elif warned_on is not None and today >= max(purge_on, warned_on + WARN_BEFORE):
                    done.purged.append(case.reference)
                    if not dry_run:
                        unit.cases.purge(case.reference)
            if not dry_run:
                unit.commit()
        return done

    @staticmethod
    def purge_day(closed_on: dt.date, retention_days: int) -> dt.date:
        return closed_on + dt.timedelta(days=retention_days)
