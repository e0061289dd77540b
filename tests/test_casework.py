"""What coalition staff do with cases, over the unit of work (in memory and SQLite).

Only staff of the case's coalition, in its staff chat or their private chat with the bot, may
act; every action and every refusal is audited; a redelivered update is not applied twice.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

import pytest

from bot.cases.casework import (
    Actor,
    CaseView,
    Casework,
    CaseworkOutcome,
    Noted,
    OpenCases,
    Refusal,
    Relayed,
    Resent,
    Unreachable,
)
from bot.cases.statuses import CaseStatus
from bot.cases.vocabulary import ContactWay, DeliveryKind
from storage.at_rest import PurposeSeal
from storage.audit import AuditRecord, verify_chain
from storage.case_codes import CaseCodeKeys
from storage.sealing import CaseUnopenable, open_case, seal_case
from storage.server_keys import ServerKeys
from tests.e2e import CATALOGS
from tests.kit import (
    KZ_CHAT,
    KZ_STAFF,
    KZ_STAFF_2,
    NOW,
    OUTSIDER,
    TJ_CHAT,
    TJ_STAFF,
    Clock,
    Coalitions,
    Units,
    add_case,
    coalitions,
    relay_seal,
)

REF = "KZ-7G4M-Q2XD"
LEASE = dt.timedelta(seconds=60)


def staff(user_id: int = KZ_STAFF, chat_id: int = KZ_CHAT) -> Actor:
    return Actor(user_id, chat_id, f"staff-{user_id}")


@pytest.fixture
def known() -> Coalitions:
    return coalitions()


@pytest.fixture
def relays() -> PurposeSeal:
    return relay_seal()


@pytest.fixture
def casework(units: Units, known: Coalitions, relays: PurposeSeal) -> Casework:
    add_case(units, REF, "kz", "medium")
    return Casework(units, known.directory, CATALOGS, seal_case, relays, clock=Clock())


def audit(units: Units) -> list[AuditRecord]:
    with units() as unit:
        return unit.audit.entries()


def status_of(units: Units, reference: str = REF) -> str | None:
    with units() as unit:
        case = unit.cases.get(reference)
        return case.status if case else None


def test_acknowledging_a_new_case_puts_it_in_progress_and_is_audited(
    units: Units, casework: Casework
) -> None:
    outcome = casework.acknowledge(staff(), 1, REF)
    assert isinstance(outcome, CaseView)
    assert outcome.case.status == CaseStatus.IN_PROGRESS
    assert outcome.coalition.id == "kz"
    (entry,) = audit(units)
    assert (entry.actor, entry.action, entry.reference, entry.coalition_id, entry.outcome) == (
        f"staff-{KZ_STAFF}",
        "acknowledge",
        REF,
        "kz",
        "done",
    )


def test_acknowledging_leaves_a_case_past_new_where_it_is(units: Units, casework: Casework) -> None:
    casework.set_status(staff(), 1, REF, CaseStatus.WAITING)
    outcome = casework.acknowledge(staff(KZ_STAFF_2), 2, REF)
    assert isinstance(outcome, CaseView)
    assert status_of(units) == "waiting"


def test_assigning_names_the_staff_pseudonym_and_starts_work(
    units: Units, casework: Casework
) -> None:
    outcome = casework.assign_to_me(staff(KZ_STAFF_2), 1, REF)
    assert isinstance(outcome, CaseView)
    assert outcome.case.assignee == f"staff-{KZ_STAFF_2}"
    assert outcome.case.status == "in_progress"


@pytest.mark.parametrize(
    "actor",
    [
        pytest.param(staff(TJ_STAFF, TJ_CHAT), id="staff of another coalition"),
        pytest.param(staff(KZ_STAFF, TJ_CHAT), id="the right staff in another group"),
        pytest.param(staff(OUTSIDER, OUTSIDER), id="a complainant"),
    ],
)
def test_anyone_else_is_refused_and_the_case_is_untouched(
    units: Units, casework: Casework, actor: Actor
) -> None:
    acts: list[Callable[[], CaseworkOutcome]] = [
        lambda: casework.acknowledge(actor, 1, REF),
        lambda: casework.assign_to_me(actor, 2, REF),
        lambda: casework.set_status(actor, 3, REF, "closed"),
        lambda: casework.show(actor, REF),
        lambda: casework.resend(actor, REF),
        lambda: casework.add_note(actor, 4, REF, "a note"),
        lambda: casework.reply(actor, 5, REF, "hello"),
    ]
    for act in acts:
        assert act() == Refusal()
    assert status_of(units) == "new"
    entries = audit(units)
    assert [e.outcome for e in entries] == ["refused"] * 7
    assert [e.action for e in entries] == [
        "acknowledge", "assign", "status:closed", "show", "resend", "note", "reply"
    ]  # fmt: skip
    assert all(e.coalition_id is None for e in entries)
    with units() as unit:
        assert unit.cases.next_file_number(REF) == 1, "no note was sealed"
        assert unit.outbox.claim_due(NOW + LEASE, LEASE) == []


def test_a_refusal_keeps_the_reference_only_for_staff(units: Units, casework: Casework) -> None:
    """A complainant who mistypes a command must not be tied to a case in a permanent log."""
    casework.show(staff(TJ_STAFF, TJ_CHAT), REF)
    casework.show(staff(OUTSIDER, OUTSIDER), REF)
    casework.refuse(staff(OUTSIDER, OUTSIDER), "note", REF)
    assert [e.reference for e in audit(units)] == [REF, None, None]


def test_an_unknown_reference_is_refused_like_a_forbidden_one(
    units: Units, casework: Casework
) -> None:
    assert casework.show(staff(), "KZ-0000-0000") == casework.show(staff(TJ_STAFF, TJ_CHAT), REF)
    assert [(e.action, e.outcome) for e in audit(units)] == [("show", "refused")] * 2


def test_staff_may_act_from_their_private_chat_with_the_bot(casework: Casework) -> None:
    assert isinstance(casework.show(staff(KZ_STAFF, KZ_STAFF), REF), CaseView)


def test_a_redelivered_update_is_not_applied_twice(units: Units, casework: Casework) -> None:
    first = casework.set_status(staff(), 7, REF, CaseStatus.CLOSED)
    again = casework.set_status(staff(), 7, REF, CaseStatus.IN_PROGRESS)
    assert isinstance(first, CaseView)
    assert isinstance(again, CaseView)
    assert again.case.status == "closed"
    assert [e.action for e in audit(units)] == ["status:closed"]


def test_closing_starts_the_retention_clock(units: Units, casework: Casework) -> None:
    casework.set_status(staff(), 1, REF, "closed")
    with units() as unit:
        case = unit.cases.get(REF)
    assert case is not None
    assert (case.status, case.closed_on) == ("closed", NOW.date())


def test_open_cases_lists_the_coalitions_open_cases_most_urgent_first(
    units: Units, casework: Casework
) -> None:
    add_case(units, "KZ-AAAA-0002", "kz", "low", NOW.date() - dt.timedelta(days=9))
    add_case(units, "KZ-AAAA-0003", "kz", "high", NOW.date())
    add_case(units, "KZ-AAAA-0004", "kz", "high", NOW.date() - dt.timedelta(days=2))
    add_case(units, "KZ-AAAA-0005", "kz", "high", NOW.date() - dt.timedelta(days=30))
    add_case(units, "TJ-AAAA-0001", "tj", "high", NOW.date())
    casework.set_status(staff(), 1, "KZ-AAAA-0005", "closed")
    outcome = casework.open_cases(staff())
    assert isinstance(outcome, OpenCases)
    assert [c.reference for c in outcome.cases] == [
        "KZ-AAAA-0004", "KZ-AAAA-0003", REF, "KZ-AAAA-0002"
    ]  # fmt: skip
    assert [c.id for c in outcome.coalitions] == ["kz"]
    assert [(e.action, e.coalition_id, e.outcome) for e in audit(units)][-1] == (
        "list", "kz", "done"
    )  # fmt: skip


def test_open_cases_is_refused_to_someone_who_is_no_staff_here(
    units: Units, casework: Casework
) -> None:
    assert casework.open_cases(staff(KZ_STAFF, TJ_CHAT)) == Refusal()
    assert [(e.action, e.outcome) for e in audit(units)] == [("list", "refused")]


def test_a_note_is_sealed_to_the_coalition_and_queued_for_its_staff_chat(
    units: Units, casework: Casework, known: Coalitions
) -> None:
    outcome = casework.add_note(staff(), 1, REF, "Called the lawyer; <b>no</b> answer yet")
    assert outcome == Noted(1)
    with units() as unit:
        sealed = unit.cases.sealed_file(REF, 1)
        (delivery,) = unit.outbox.claim_due(NOW, LEASE)
    assert sealed is not None
    note = known.manifest("kz", sealed)
    assert note["text"] == "Called the lawyer; <b>no</b> answer yet"
    assert (note["kind"], note["author"], note["reference"]) == (
        "internal_note", f"staff-{KZ_STAFF}", REF
    )  # fmt: skip
    assert (delivery.reference, delivery.number, delivery.chat_id, delivery.kind) == (
        REF, 1, KZ_CHAT, DeliveryKind.FILE
    )  # fmt: skip
    assert [e.action for e in audit(units)] == ["note"]


def test_resend_gives_the_sealed_case_file_again(casework: Casework) -> None:
    assert casework.resend(staff(), REF) == Resent(b"sealed case")


def test_a_reply_to_a_complainant_in_their_chat_waits_sealed_in_the_outbox(
    units: Units, casework: Casework, relays: PurposeSeal
) -> None:
    chat_id = 8_120_554_317
    with units() as unit:
        unit.contacts.add_chat(REF, "handle-1", chat_id, "en", "sunflower")
        unit.commit()
    outcome = casework.reply(staff(), 1, REF, "We <will> call you")
    assert outcome == Relayed(ContactWay.CHAT)
    with units() as unit:
        (delivery,) = unit.outbox.claim_due(NOW, LEASE)
    assert (delivery.kind, delivery.chat_id, delivery.number) == ("relay", 0, -1)
    assert delivery.payload is not None
    assert str(chat_id).encode() not in delivery.payload, "the chat id is never in clear"
    message = json.loads(relays.open(REF, delivery.payload))
    assert message["chat_id"] == chat_id
    assert "We &lt;will&gt; call you" in message["html"]
    assert "sunflower" in message["html"]
    assert "KZ coalition" in message["html"]


def test_a_reply_for_a_case_code_is_kept_sealed_to_the_code(
    units: Units, casework: Casework
) -> None:
    codes = CaseCodeKeys(ServerKeys.generate().handle_key)
    issued = codes.issue()
    with units() as unit:
        unit.contacts.add_code(
            REF, issued.lookup, issued.recipient, issued.locked_identity, "en", None
        )
        unit.commit()
    assert casework.reply(staff(), 1, REF, "Please call us") == Relayed(ContactWay.CODE)
    key = codes.key_of(issued.code)
    assert key is not None
    with units() as unit:
        kept = [sealed for _, sealed in unit.contacts.messages_for(REF)]
        assert unit.outbox.claim_due(NOW, LEASE) == [], "nothing is sent anywhere"
    opened = key.open_messages(issued.locked_identity, kept)
    assert opened is not None
    assert json.loads(opened[0])["text"] == "Please call us"


def test_a_complainant_who_left_no_way_back_cannot_be_reached(
    units: Units, casework: Casework
) -> None:
    assert casework.reply(staff(), 1, REF, "hello") == Unreachable()
    with units() as unit:
        assert unit.outbox.claim_due(NOW, LEASE) == []
    assert [(e.action, e.outcome) for e in audit(units)] == [("reply", "done")]


def test_the_audit_chain_of_casework_verifies(units: Units, casework: Casework) -> None:
    casework.acknowledge(staff(), 1, REF)
    casework.show(staff(OUTSIDER, OUTSIDER), REF)
    casework.add_note(staff(), 2, REF, "note")
    entries = audit(units)
    assert len(entries) == 3
    assert verify_chain(entries, head=entries[-1].digest).intact


def test_notes_open_only_with_the_coalitions_own_key(
    units: Units, casework: Casework, known: Coalitions
) -> None:
    casework.add_note(staff(), 1, REF, "note")
    with units() as unit:
        sealed = unit.cases.sealed_file(REF, 1)
    assert sealed is not None
    with pytest.raises(CaseUnopenable):
        open_case(sealed, [known.identities["tj"]])
