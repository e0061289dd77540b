"""Withdrawing consent: the coalition gets a sealed notice; the server learns nothing more.

The bot keeps no link between a Telegram account and the cases it sent, so a withdrawal names
its reference. Whether or not the reference exists, the complainant sees the same answer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from bot.cases.coalitions import CoalitionDirectory
from bot.cases.followups import followup_package
from bot.cases.ports import CaseUnitOfWork
from bot.cases.submission import SealCase

NOTICE_SCHEMA = "complaint-bot/notice/v1"


class Withdrawals:
    def __init__(
        self,
        units: Callable[[], CaseUnitOfWork],
        directory: CoalitionDirectory,
        seal_case: SealCase,
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ) -> None:
        self._units = units
        self._directory = directory
        self._seal_case = seal_case
        self._clock = clock

    def withdraw(self, update_id: int, reference: str) -> bool:
        """Queue a sealed withdrawal notice for the case's coalition; False if nothing was sent."""
        now = self._clock()
        with self._units() as unit:
            if not unit.updates.claim(update_id, now):
                return False
            case = unit.cases.get(reference)
            coalition = self._directory.find(case.coalition_id if case else None)
            if case is None or coalition is None:
                unit.commit()
                return False
            number = unit.cases.next_file_number(reference)
            sealed = self._seal_case(_notice(reference, now.date()), coalition.recipients)
            unit.cases.add_sealed_file(reference, number, sealed)
            unit.outbox.enqueue(reference, number, coalition.staff_chat_id, now)
            unit.commit()
            return True


def _notice(reference: str, day: dt.date) -> bytes:
    notice = {
        "schema": NOTICE_SCHEMA,
        "reference": reference,
        "kind": "consent_withdrawn",
        "received_on": day.isoformat(),
        "text": "Someone who knew this case's reference asked to withdraw consent. "
        "Decide what to do with the case; if you can, confirm with the complainant "
        "using their code word.",
    }
    return followup_package(notice, manifest="notice.json")
