"""What coalition staff do with cases: acknowledge, assign, set status, list, note, reply.

Each action is one unit of work that also appends to the audit log. A person may act on a case
only if they are staff of the case's coalition and act in its staff chat or their private chat
with the bot. Any refusal looks the same whether or not the reference exists.

The audit log is about staff: it records what staff did and what was refused to staff or in a
staff chat. A refusal to anyone else (a complainant who types `/cases`, a prober in a private
chat) is only counted, per action, in memory: a row per person with a keyed pseudonym and the
exact time would be a lasting trace of who wrote to the bot, and a way to grow the log at will.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO

from bot.cases.coalitions import Coalition, CoalitionDirectory
from bot.cases.followups import followup_package
from bot.cases.ports import CaseRecord, CaseUnitOfWork, RelaySeal
from bot.cases.statuses import CaseStatus
from bot.cases.submission import SealCase
from bot.cases.vocabulary import (
    AuditAction,
    AuditOutcome,
    ContactWay,
    DeliveryKind,
    status_action,
)
from bot.i18n import Catalogs

NOTE_SCHEMA = "complaint-bot/note/v1"
URGENCY_ORDER = {"high": 0, "medium": 1, "low": 2}


@dataclass(frozen=True)
class AuditEntry:
    """What the audit log records of an action: pseudonym, action, case, coalition, outcome."""

    actor: str
    action: str
    reference: str | None
    coalition_id: str | None
    outcome: AuditOutcome


@dataclass(frozen=True)
class Actor:
    """Someone acting on cases: their Telegram id (never stored), chat, and pseudonym."""

    user_id: int
    chat_id: int
    pseudonym: str


@dataclass(frozen=True)
class Refusal:
    """Not allowed, or no such case: deliberately the same."""


@dataclass(frozen=True)
class CaseView:
    case: CaseRecord
    coalition: Coalition


@dataclass(frozen=True)
class Relayed:
    way: ContactWay


@dataclass(frozen=True)
class Unreachable:
    """The complainant asked not to be contacted, or erased their way back."""


@dataclass(frozen=True)
class Noted:
    number: int


@dataclass(frozen=True)
class Resent:
    sealed: bytes | None = None  # None: written to the stream the caller gave


@dataclass(frozen=True)
class SealedFiles:
    """The numbers of a case's sealed files (0 is the case itself), which this person may
    fetch; the files themselves are copied out chunk by chunk by whoever serves them."""

    numbers: list[int]
    received_on: dt.date


@dataclass(frozen=True)
class OpenCases:
    cases: list[CaseRecord]  # most urgent first
    coalitions: list[Coalition]


CaseworkOutcome = (
    Refusal | CaseView | Relayed | Unreachable | Noted | Resent | SealedFiles | OpenCases
)


class Casework:
    def __init__(
        self,
        units: Callable[[], CaseUnitOfWork],
        directory: CoalitionDirectory,
        catalogs: Catalogs,
        seal_case: SealCase,
        relays: RelaySeal,
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
        on_unaudited_refusal: Callable[[str], None] = lambda action: None,
    ) -> None:
        self._units = units
        self._on_unaudited_refusal = on_unaudited_refusal
        self._directory = directory
        self._catalogs = catalogs
        self._seal_case = seal_case
        self._relays = relays
        self._clock = clock
        self.unaudited_refusals: Counter[str] = Counter()
        self._staff_chats = {c.staff_chat_id for c in directory.coalitions}

    def _count_unaudited(self, action: str) -> None:
        self.unaudited_refusals[action] += 1
        self._on_unaudited_refusal(action)

    def audits(self, actor: Actor) -> bool:
        """Whether what this person does goes into the audit log: staff anywhere, or anyone in
        a staff chat."""
        return self.is_staff(actor.user_id) or actor.chat_id in self._staff_chats

    def is_staff_chat(self, chat_id: int) -> bool:
        return chat_id in self._staff_chats

    def coalitions_of(self, actor: Actor) -> list[Coalition]:
        """The coalitions this person may act for, from the chat they are in."""
        return [
            c
            for c in self._directory.coalitions
            if actor.user_id in c.staff_user_ids
            and actor.chat_id in (c.staff_chat_id, actor.user_id)
        ]

    def is_staff(self, user_id: int) -> bool:
        return any(user_id in c.staff_user_ids for c in self._directory.coalitions)

    def refuse(self, actor: Actor, action: str, reference: str | None) -> Refusal:
        """Record a refused attempt: in the audit log for staff or in a staff chat (the reference
        only if the person is staff somewhere), else only in the count."""
        if not self.audits(actor):
            self._count_unaudited(action)
            return Refusal()
        kept = reference if self.is_staff(actor.user_id) else None
        with self._units() as unit:
            unit.audit.append(
                AuditEntry(actor.pseudonym, action, kept, None, AuditOutcome.REFUSED),
                self._clock(),
            )
            unit.commit()
        return Refusal()

    def acknowledge(self, actor: Actor, update_id: int, reference: str) -> CaseworkOutcome:
        def act(unit: CaseUnitOfWork, view: CaseView, now: dt.datetime) -> CaseworkOutcome:
            if view.case.status == CaseStatus.NEW:
                unit.cases.set_status(reference, CaseStatus.IN_PROGRESS, now.date())
            return self._view(unit, reference, view.coalition)

        return self._act(actor, update_id, AuditAction.ACKNOWLEDGE, reference, act)

    def assign_to_me(self, actor: Actor, update_id: int, reference: str) -> CaseworkOutcome:
        def act(unit: CaseUnitOfWork, view: CaseView, now: dt.datetime) -> CaseworkOutcome:
            unit.cases.assign(reference, actor.pseudonym)
            if view.case.status == CaseStatus.NEW:
                unit.cases.set_status(reference, CaseStatus.IN_PROGRESS, now.date())
            return self._view(unit, reference, view.coalition)

        return self._act(actor, update_id, AuditAction.ASSIGN, reference, act)

    def set_status(
        self, actor: Actor, update_id: int, reference: str, status: str
    ) -> CaseworkOutcome:
        """`status` is a `CaseStatus` (or its code); closing starts the retention clock."""
        wanted = CaseStatus(status)

        def act(unit: CaseUnitOfWork, view: CaseView, now: dt.datetime) -> CaseworkOutcome:
            unit.cases.set_status(reference, wanted, now.date())
            return self._view(unit, reference, view.coalition)

        return self._act(actor, update_id, status_action(wanted), reference, act)

    def show(self, actor: Actor, reference: str) -> CaseworkOutcome:
        def act(unit: CaseUnitOfWork, view: CaseView, now: dt.datetime) -> CaseworkOutcome:
            return view

        return self._act(actor, None, AuditAction.SHOW, reference, act)

    def resend(
        self, actor: Actor, reference: str, into: IO[bytes] | None = None
    ) -> CaseworkOutcome:
        """The sealed case again, for staff of its coalition; written to `into` if given (one
        chunk in memory at a time), else in the outcome."""

        def act(unit: CaseUnitOfWork, view: CaseView, now: dt.datetime) -> CaseworkOutcome:
            if into is not None:
                return Resent() if unit.cases.copy_sealed_file(reference, 0, into) else Refusal()
            sealed = unit.cases.sealed_file(reference, 0)
            return Resent(sealed) if sealed is not None else Refusal()

        return self._act(actor, None, AuditAction.RESEND, reference, act)

    def sealed_files(self, actor: Actor, reference: str) -> CaseworkOutcome:
        """Every sealed file of the case, for the desk Mini App; the same rules as /case."""

        def act(unit: CaseUnitOfWork, view: CaseView, now: dt.datetime) -> CaseworkOutcome:
            numbers = [
                number
                for number in range(unit.cases.next_file_number(reference))
                if unit.cases.sealed_chunks(reference, number) is not None
            ]
            return SealedFiles(numbers, view.case.received_on) if numbers else Refusal()

        return self._act(actor, None, AuditAction.FETCH, reference, act)

    def open_cases(self, actor: Actor) -> CaseworkOutcome:
        coalitions = self.coalitions_of(actor)
        if not coalitions:
            return self.refuse(actor, AuditAction.LIST, None)
        now = self._clock()
        with self._units() as unit:
            cases = list(unit.cases.open_cases([c.id for c in coalitions]))
            for coalition in coalitions:
                unit.audit.append(
                    AuditEntry(actor.pseudonym, AuditAction.LIST, None, coalition.id,
                               AuditOutcome.DONE),
                    now,
                )  # fmt: skip
            unit.commit()
        cases.sort(key=lambda c: (URGENCY_ORDER.get(c.urgency, 3), c.received_on, c.reference))
        return OpenCases(cases, coalitions)

    def add_note(self, actor: Actor, update_id: int, reference: str, text: str) -> CaseworkOutcome:
        def act(unit: CaseUnitOfWork, view: CaseView, now: dt.datetime) -> CaseworkOutcome:
            note = {
                "schema": NOTE_SCHEMA,
                "reference": reference,
                "kind": "internal_note",
                "author": actor.pseudonym,
                "written_at": now.isoformat(timespec="seconds"),
                "text": text,
            }
            sealed = self._seal_case(followup_package(note), view.coalition.recipients)
            number = unit.cases.next_file_number(reference)
            unit.cases.add_sealed_file(reference, number, sealed)
            unit.outbox.enqueue(reference, number, view.coalition.staff_chat_id, now)
            return Noted(number)

        return self._act(actor, update_id, AuditAction.NOTE, reference, act)

    def reply(self, actor: Actor, update_id: int, reference: str, text: str) -> CaseworkOutcome:
        """Relay staff's words to the complainant by the way they chose at submission."""

        def act(unit: CaseUnitOfWork, view: CaseView, now: dt.datetime) -> CaseworkOutcome:
            contact = unit.contacts.get(reference)
            if contact is None:
                return Unreachable()
            coalition = view.coalition
            if contact.way == ContactWay.CHAT and contact.chat_id is not None:
                message = {
                    "chat_id": contact.chat_id,
                    "html": self._relay_html(coalition, reference, text, contact.language,
                                             contact.code_word),
                    "reference": reference,
                    "language": contact.language,
                }  # fmt: skip
                payload = self._relays.seal(
                    reference, json.dumps(message, ensure_ascii=False).encode()
                )
                unit.outbox.enqueue(reference, -1, 0, now, kind=DeliveryKind.RELAY, payload=payload)
                return Relayed(ContactWay.CHAT)
            recipient = contact.code_recipient
            if contact.way == ContactWay.CODE and recipient is not None:
                message = {
                    "from": coalition.name,
                    "text": text,
                    "sent_on": now.date().isoformat(),
                    "code_word": contact.code_word,
                }
                sealed = self._seal_case(json.dumps(message).encode(), [recipient])
                unit.contacts.keep_message(reference, sealed, now)
                return Relayed(ContactWay.CODE)
            return Unreachable()

        return self._act(actor, update_id, AuditAction.REPLY, reference, act)

    def _relay_html(
        self, coalition: Coalition, reference: str, text: str, language: str, word: str | None
    ) -> str:
        t = self._catalogs.translator(language)
        lines = [
            "✉️ <b>" + html.escape(coalition.name) + "</b>",
            html.escape(t.gettext("A message about your report {reference}:", reference=reference)),
            "",
            html.escape(text),
            "",
        ]
        if word:
            lines.append(html.escape(t.gettext("Your code word: {word}", word=word)))
        else:
            lines.append(
                html.escape(t.gettext("You set no code word, so be careful: check the reference."))
            )
        lines.append(html.escape(t.gettext("To answer, press “Answer” or reply to this message.")))
        lines.append(
            html.escape(t.gettext("This message is deleted from this chat after 24 hours."))
        )
        return "\n".join(lines)

    def _view(self, unit: CaseUnitOfWork, reference: str, coalition: Coalition) -> CaseView:
        case = unit.cases.get(reference)
        assert case is not None
        return CaseView(case, coalition)

    def _act(
        self,
        actor: Actor,
        update_id: int | None,
        action: str,
        reference: str,
        act: Callable[[CaseUnitOfWork, CaseView, dt.datetime], CaseworkOutcome],
    ) -> CaseworkOutcome:
        now = self._clock()
        with self._units() as unit:
            case = unit.cases.get(reference)
            coalition = self._coalition_for(actor, case)
            if case is None or coalition is None:
                if not self.audits(actor):
                    self._count_unaudited(action)
                    return Refusal()
                kept = reference if self.is_staff(actor.user_id) else None
                unit.audit.append(
                    AuditEntry(actor.pseudonym, action, kept, None, AuditOutcome.REFUSED), now
                )
                unit.commit()
                return Refusal()
            if update_id is not None and not unit.updates.claim(update_id, now):
                return self._view(unit, reference, coalition)
            outcome = act(unit, CaseView(case, coalition), now)
            unit.audit.append(
                AuditEntry(actor.pseudonym, action, reference, coalition.id, AuditOutcome.DONE),
                now,
            )
            unit.commit()
            return outcome

    def _coalition_for(self, actor: Actor, case: CaseRecord | None) -> Coalition | None:
        if case is None:
            return None
        return next((c for c in self.coalitions_of(actor) if c.id == case.coalition_id), None)
