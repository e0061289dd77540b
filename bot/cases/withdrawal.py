"""/delete: erase what links this account to its reports, and withdraw consent for one.

One call, one transaction: the draft (without a reference), the account's links to its cases
(contacts, relays waiting for it), and, with a reference, a sealed notice to the case's
coalition. Only the account the case is linked to may withdraw it, and only once: the link goes
with the first withdrawal. Anyone else, and any unknown reference, gets the same answer and
leaves nothing behind.

A case sent with the case-code way is linked to no account, so its code stands in for the link:
`/delete CODE` withdraws that case, once (its code and the messages kept for it go with the
first withdrawal), paced like `/check` against guessing. An unknown code gets the same answer
as a known one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from bot.cases.coalitions import CoalitionDirectory
from bot.cases.complainants import CodeGuard
from bot.cases.followups import followup_package
from bot.cases.ports import CaseUnitOfWork, CodeKey
from bot.cases.submission import SealCase
from bot.intake import erasure
from bot.intake.draft import Draft
from bot.intake.ports import Drafts

NOTICE_SCHEMA = "complaint-bot/notice/v1"


class WithdrawalUnitOfWork(CaseUnitOfWork, Protocol):
    @property
    def drafts(self) -> Drafts: ...


@dataclass(frozen=True)
class Withdrawn:
    """What /delete did. `notified` is for the tests and the log: the person is told the same
    either way."""

    language: str | None
    notified: bool
    erase: tuple[int, ...]
    wait_seconds: int = 0  # too many wrong codes: nothing was looked up


class Withdrawals:
    def __init__(
        self,
        units: Callable[[], WithdrawalUnitOfWork],
        directory: CoalitionDirectory,
        seal_case: SealCase,
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
        *,
        forget_grants: Callable[[str], None] = lambda handle: None,
        key_of: Callable[[str], CodeKey | None] = lambda typed: None,
        pacing: CodeGuard | None = None,
    ) -> None:
        """`pacing` is /check's guard, so guesses through either command count together."""
        self._key_of = key_of
        self._pacing = pacing or CodeGuard(clock)
        self._units = units
        self._directory = directory
        self._seal_case = seal_case
        self._clock = clock
        self._forget_grants = forget_grants

    def withdraw(
        self, handle: str, update_id: int, reference: str | None, message_id: int | None = None
    ) -> Withdrawn:
        """Without a reference: the draft, the conversation and every link of this account go.
        With one linked to this account: that link goes and its coalition gets the notice."""
        now = self._clock()
        typed = (message_id,) if message_id else ()
        with self._units() as unit:
            if not unit.updates.claim(update_id, now):
                return Withdrawn(None, False, typed)
            payload = unit.drafts.get(handle, now)
            draft = Draft.from_bytes(payload) if payload is not None else None
            linked = unit.contacts.references_of(handle)
            erased = [r for r in linked if reference is None or r == reference]
            notified = reference in erased and self._notify(unit, reference, now)
            unit.outbox.forget_relays(erased)
            unit.contacts.erase(erased)
            if reference is None:
                unit.drafts.delete(handle)
            unit.commit()
        self._forget_grants(handle)
        language = draft.language if draft is not None else None
        if reference is None and message_id:
            first = draft.first_message_id if draft is not None else None
            return Withdrawn(language, notified, erasure.conversation(first, message_id))
        return Withdrawn(language, notified, typed)

    def is_case_code(self, typed: str) -> bool:
        return self._key_of(typed) is not None

    def withdraw_by_code(
        self, handle: str, update_id: int, typed: str, message_id: int | None = None
    ) -> Withdrawn:
        """With the code of a case sent the case-code way: its coalition gets the notice, and
        the code and what waits for it are erased, so it works once."""
        now = self._clock()
        erase = (message_id,) if message_id else ()  # the message holds the code
        wait = self._pacing.wait_for(handle)
        if wait:
            return Withdrawn(None, False, erase, wait_seconds=wait)
        key = self._key_of(typed)
        with self._units() as unit:
            if not unit.updates.claim(update_id, now):
                return Withdrawn(None, False, erase)
            payload = unit.drafts.get(handle, now)
            holder = unit.contacts.by_code(key.lookup) if key is not None else None
            notified = holder is not None and self._notify(
                unit, holder.reference, now, by_code=True
            )
            if holder is not None:
                unit.outbox.forget_relays([holder.reference])
                unit.contacts.erase([holder.reference])
            unit.commit()
        if holder is None:
            self._pacing.failed(handle)
        else:
            self._pacing.succeeded(handle)
            self._forget_grants(handle)
        language = Draft.from_bytes(payload).language if payload is not None else None
        return Withdrawn(language, notified, erase)

    def _notify(
        self, unit: WithdrawalUnitOfWork, reference: str, now: dt.datetime, by_code: bool = False
    ) -> bool:
        """Queue a sealed withdrawal notice for the case's coalition; False if none exists."""
        case = unit.cases.get(reference)
        coalition = self._directory.find(case.coalition_id if case else None)
        if case is None or coalition is None:
            return False
        number = unit.cases.next_file_number(reference)
        sealed = self._seal_case(_notice(reference, now.date(), by_code), coalition.recipients)
        unit.cases.add_sealed_file(reference, number, sealed)
        unit.outbox.enqueue(reference, number, coalition.staff_chat_id, now)
        return True


def _notice(reference: str, day: dt.date, by_code: bool = False) -> bytes:
    who = (
        "Someone holding this case's code"
        if by_code
        else "The Telegram account that sent this case"
    )
    notice = {
        "schema": NOTICE_SCHEMA,
        "reference": reference,
        "kind": "consent_withdrawn",
        "by": "case_code" if by_code else "account",
        "received_on": day.isoformat(),
        "text": f"{who} asked to withdraw consent. "
        "Decide what to do with the case; if you can, confirm with the complainant "
        "using their code word.",
    }
    return followup_package(notice, manifest="notice.json")
