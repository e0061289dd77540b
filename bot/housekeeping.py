"""Housekeeping: expired drafts go (with their conversation), closed cases past retention go
(after a warning), and old update ids are forgotten. Runs every few minutes inside the bot, or
once with `complaint-bot purge`."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from bot.cases.coalitions import CoalitionDirectory
from bot.cases.ports import CaseUnitOfWork
from bot.cases.retention import Retention, RetentionRound
from bot.chat.context import DatabaseCalls
from bot.chat.ports import Wipes
from bot.intake import erasure
from bot.intake.draft import Draft
from bot.intake.ports import Transaction

log = logging.getLogger(__name__)
EVERY = dt.timedelta(minutes=5)
REMEMBER_UPDATES_FOR = dt.timedelta(days=7)
# Deletions of an abandoned conversation are tried for an hour: the draft lives 47 of Telegram's
# 48 hours, so that hour is all Telegram still allows.
ABANDONED_WIPE_WINDOW = dt.timedelta(hours=1)


class ExpiringDrafts(Protocol):
    def expired(self, now: dt.datetime) -> list[bytes]: ...

    def purge_expired(self, now: dt.datetime) -> int: ...


class ForgettingUpdates(Protocol):
    def forget_before(self, cutoff: dt.datetime) -> int: ...


class TidyingUnitOfWork(Transaction, Protocol):
    """What housekeeping touches, in one transaction."""

    @property
    def drafts(self) -> ExpiringDrafts: ...
    @property
    def updates(self) -> ForgettingUpdates: ...
    @property
    def wipes(self) -> Wipes: ...


@dataclass(frozen=True)
class Tidied:
    drafts: int
    cases: RetentionRound


class Housekeeping:
    def __init__(
        self,
        units: Callable[[], TidyingUnitOfWork],
        case_units: Callable[[], CaseUnitOfWork],
        directory: CoalitionDirectory,
        overwrite_deleted: Callable[[], None],
    ) -> None:
        self._units = units
        self._case_units = case_units
        self._directory = directory
        self._overwrite_deleted = overwrite_deleted

    def tidy(self, *, dry_run: bool = False) -> Tidied:
        """Purge expired drafts and, per coalition retention, closed cases (warning first)."""
        now = dt.datetime.now(dt.UTC)
        drafts = 0
        if not dry_run:
            with self._units() as unit:
                for payload in unit.drafts.expired(now):
                    _wipe_abandoned(unit, Draft.from_bytes(payload), now)
                drafts = unit.drafts.purge_expired(now)
                unit.updates.forget_before(now - REMEMBER_UPDATES_FOR)
                unit.commit()
        cases = Retention(self._case_units, self._directory).run(now, dry_run=dry_run)
        if not dry_run and (drafts or cases.purged):
            self._overwrite_deleted()
        return Tidied(drafts, cases)

    async def run(self, stop: asyncio.Event, calls: DatabaseCalls) -> None:
        while not stop.is_set():
            try:
                tidied = await calls(self.tidy)
                if tidied.drafts or tidied.cases.purged or tidied.cases.warned:
                    log.info(
                        "purged %d expired drafts and %d closed cases; %d retention warnings",
                        tidied.drafts,
                        len(tidied.cases.purged),
                        len(tidied.cases.warned),
                    )
            except Exception as error:  # housekeeping must never stop the bot
                log.error("housekeeping failed: %s", type(error).__name__)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), EVERY.total_seconds())


def _wipe_abandoned(unit: TidyingUnitOfWork, draft: Draft, now: dt.datetime) -> None:
    """An abandoned conversation is deleted from the chat with its draft, while Telegram still
    allows it; the ids are the ones the draft recorded (bot.intake.erasure)."""
    ids = erasure.abandoned(draft.first_message_id, draft.last_message_id)
    if draft.chat_id is None or not ids:
        return
    unit.wipes.add(draft.chat_id, list(ids), now, now + ABANDONED_WIPE_WINDOW)
