"""What complainants do with cases they sent: see status, read and answer coalition messages.

A complainant who chose notification is recognised by their pseudonymous handle (the link
/delete erases). A case-code holder is recognised only by the code: a correct /check lets that
account answer the case for a while, a grant kept in memory and never written down.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.cases.coalitions import CoalitionDirectory
from bot.cases.followups import Enclosure, followup_package
from bot.cases.ports import CaseRecord, CaseUnitOfWork
from bot.cases.submission import SealCase
from bot.cases.vocabulary import ContactWay
from bot.cases.ways import ContactWays

MESSAGE_SCHEMA = "complaint-bot/message/v1"
GRANT_LIFETIME = dt.timedelta(minutes=30)
FREE_ATTEMPTS = 3
FIRST_PAUSE = dt.timedelta(seconds=30)
LONGEST_PAUSE = dt.timedelta(hours=1)
Clock = Callable[[], dt.datetime]


@dataclass(frozen=True)
class CoalitionMessage:
    sender: str
    text: str
    sent_on: str
    code_word: str | None


@dataclass(frozen=True)
class Found:
    reference: str
    status: str
    messages: list[CoalitionMessage]
    message_ids: list[int]


@dataclass(frozen=True)
class Miss:
    """No case matches, or the code is malformed: the same answer either way."""


@dataclass(frozen=True)
class SlowDown:
    seconds: int


CheckOutcome = Found | Miss | SlowDown


@dataclass
class _Attempts:
    failures: int = 0
    blocked_until: dt.datetime | None = None


@dataclass
class CodeGuard:
    """Wrong codes cost time: after a few, each further try waits twice as long as the last."""

    clock: Clock
    attempts: dict[str, _Attempts] = field(default_factory=dict)

    def wait_for(self, handle: str) -> int:
        state = self.attempts.get(handle)
        if state is None or state.blocked_until is None:
            return 0
        left = (state.blocked_until - self.clock()).total_seconds()
        return max(0, int(left + 0.999))

    def failed(self, handle: str) -> None:
        state = self.attempts.setdefault(handle, _Attempts())
        state.failures += 1
        if state.failures >= FREE_ATTEMPTS:
            pause = min(LONGEST_PAUSE, FIRST_PAUSE * 2 ** (state.failures - FREE_ATTEMPTS))
            state.blocked_until = self.clock() + pause

    def succeeded(self, handle: str) -> None:
        self.attempts.pop(handle, None)


@dataclass
class AnswerGrants:
    clock: Clock
    grants: dict[tuple[str, str], dt.datetime] = field(default_factory=dict)

    def grant(self, handle: str, reference: str) -> None:
        self.grants[(handle, reference)] = self.clock() + GRANT_LIFETIME

    def allows(self, handle: str, reference: str) -> bool:
        until = self.grants.get((handle, reference))
        return until is not None and until > self.clock()

    def revoke(self, handle: str) -> None:
        for key in [k for k in self.grants if k[0] == handle]:
            del self.grants[key]


class ComplainantCases:
    def __init__(
        self,
        units: Callable[[], CaseUnitOfWork],
        directory: CoalitionDirectory,
        seal_case: SealCase,
        ways: ContactWays,
        clock: Clock = lambda: dt.datetime.now(dt.UTC),
    ) -> None:
        self._units = units
        self._directory = directory
        self._seal_case = seal_case
        self._ways = ways
        self._clock = clock
        self.guard = CodeGuard(clock)
        self.grants = AnswerGrants(clock)

    def statuses(self, handle: str) -> list[CaseRecord]:
        with self._units() as unit:
            return list(unit.cases.statuses(unit.contacts.references_of(handle)))

    def check(self, handle: str, typed: str) -> CheckOutcome:
        wait = self.guard.wait_for(handle)
        if wait:
            return SlowDown(wait)
        found = self._open_with(typed)
        if found is None:
            self.guard.failed(handle)
            return Miss()
        self.guard.succeeded(handle)
        self.grants.grant(handle, found.reference)
        return found

    def mark_read(self, message_ids: list[int]) -> None:
        """Messages shown to the code holder are deleted: the chat now holds the only copy."""
        with self._units() as unit:
            unit.contacts.drop_messages(message_ids)
            unit.commit()

    def may_answer(self, handle: str, reference: str) -> bool:
        with self._units() as unit:
            return self._may_answer(unit, handle, reference)

    def _may_answer(self, unit: CaseUnitOfWork, handle: str, reference: str) -> bool:
        """A code holder after a correct /check, or the account that asked to be notified."""
        if self.grants.allows(handle, reference):
            return True
        contact = unit.contacts.get(reference)
        return contact is not None and contact.way == ContactWay.CHAT and contact.handle == handle

    def answer(
        self,
        update_id: int,
        handle: str,
        reference: str,
        text: str | None,
        enclosure: Enclosure | None,
    ) -> bool:
        """Seal the complainant's answer to the case's coalition and queue it, like a case."""
        now = self._clock()
        with self._units() as unit:
            if not self._may_answer(unit, handle, reference):
                return False
            if not unit.updates.claim(update_id, now):
                return True
            case = unit.cases.get(reference)
            coalition = self._directory.find(case.coalition_id if case else None)
            if case is None or coalition is None:
                return False
            document = {
                "schema": MESSAGE_SCHEMA,
                "reference": reference,
                "kind": "complainant_message",
                "received_on": now.date().isoformat(),
                "text": text,
            }
            sealed = self._seal_case(followup_package(document, enclosure), coalition.recipients)
            number = unit.cases.next_file_number(reference)
            unit.cases.add_sealed_file(reference, number, sealed)
            unit.outbox.enqueue(reference, number, coalition.staff_chat_id, now)
            unit.commit()
            return True

    def _open_with(self, typed: str) -> Found | None:
        """The case of this code and its waiting messages; None for a malformed or unknown
        code, or one that does not open what is kept for it."""
        key = self._ways.key_of(typed)
        if key is None:
            return None
        with self._units() as unit:
            holder = unit.contacts.by_code(key.lookup)
            if holder is None:
                return None
            case = unit.cases.get(holder.reference)
            stored = list(unit.contacts.messages_for(holder.reference))
        if case is None:
            return None
        opened = key.open_messages(holder.locked_identity, [sealed for _, sealed in stored])
        if opened is None:
            return None
        messages = [_message(payload) for payload in opened]
        return Found(case.reference, case.status, messages, [i for i, _ in stored])


def _message(payload: bytes) -> CoalitionMessage:
    data = json.loads(payload)
    return CoalitionMessage(data["from"], data["text"], data["sent_on"], data.get("code_word"))
