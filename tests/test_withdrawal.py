"""/delete over the unit of work (in memory and SQLite): only the account a case is linked to
may withdraw it, once; the coalition gets one sealed notice; anyone else, and any unknown
reference, leaves no trace."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.cases.coalitions import CoalitionDirectory
from bot.cases.ways import ContactWays
from bot.cases.withdrawal import Withdrawals
from bot.intake.draft import Draft
from storage.case_codes import CaseCodeKeys
from storage.sealing import seal_case
from storage.server_keys import ServerKeys
from tests.kit import KZ_CHAT, NOW, Clock, Coalitions, Units, add_case, coalitions

REF = "KZ-W1TH-DRAW"
HANDLE = "handle-3c9a41"
STRANGER = "handle-77d0e2"
CHAT_ID = 7_402_118_556
LEASE = dt.timedelta(seconds=60)


@pytest.fixture
def known() -> Coalitions:
    return coalitions()


def linked_case(units: Units, reference: str = REF, coalition: str = "kz") -> None:
    add_case(units, reference, coalition)
    ways = ContactWays(CaseCodeKeys(ServerKeys.generate().handle_key))
    with units() as unit:
        ways.record(unit, reference, HANDLE, {"k_contact_way": "bot_chat"}, "en", CHAT_ID)
        unit.commit()


def withdrawals(units: Units, directory: CoalitionDirectory) -> Withdrawals:
    return Withdrawals(units, directory, seal_case, clock=Clock())


def notices(units: Units) -> list[int]:
    with units() as unit:
        return [d.number for d in unit.outbox.claim_due(NOW, LEASE)]


def test_the_linked_account_withdraws_once_and_the_coalition_gets_one_notice(
    units: Units, known: Coalitions
) -> None:
    linked_case(units)
    service = withdrawals(units, known.directory)
    assert service.withdraw(HANDLE, 51, REF, message_id=88).notified
    assert not service.withdraw(HANDLE, 51, REF).notified, "a redelivered update: nothing more"
    again = service.withdraw(HANDLE, 52, REF, message_id=90)
    assert not again.notified, "the link went with the first withdrawal"
    assert again.erase == (90,), "only the /delete message itself leaves the chat"
    with units() as unit:
        sealed = unit.cases.sealed_file(REF, 1)
        assert unit.cases.next_file_number(REF) == 2
        (delivery,) = unit.outbox.claim_due(NOW, LEASE)
        assert unit.contacts.get(REF) is None
    assert sealed is not None
    notice = known.manifest("kz", sealed, "notice.json")
    assert (notice["kind"], notice["reference"]) == ("consent_withdrawn", REF)
    assert notice["received_on"] == NOW.date().isoformat()
    assert (delivery.number, delivery.chat_id, delivery.kind) == (1, KZ_CHAT, "file")


def test_a_stranger_who_knows_the_reference_sends_nothing(units: Units, known: Coalitions) -> None:
    linked_case(units)
    service = withdrawals(units, known.directory)
    for update_id in range(60, 65):
        assert not service.withdraw(STRANGER, update_id, REF).notified
    assert notices(units) == []
    with units() as unit:
        assert unit.cases.next_file_number(REF) == 1
        assert unit.contacts.get(REF) is not None, "the complainant's own link stays"


def test_an_unknown_reference_sends_nothing(units: Units, known: Coalitions) -> None:
    linked_case(units)
    assert not withdrawals(units, known.directory).withdraw(HANDLE, 70, "KZ-0000-0000").notified
    assert notices(units) == []


def test_a_case_of_a_coalition_since_removed_sends_nothing(units: Units, known: Coalitions) -> None:
    linked_case(units, "TJ-W1TH-DRAW", "gone")
    assert not withdrawals(units, known.directory).withdraw(HANDLE, 53, "TJ-W1TH-DRAW").notified
    assert notices(units) == []


def test_without_a_reference_the_draft_and_the_conversation_go(
    units: Units, known: Coalitions
) -> None:
    linked_case(units)
    draft = Draft("default", 1, "ru", first_message_id=40)
    with units() as unit:
        unit.drafts.put(HANDLE, draft.to_bytes(), NOW, dt.timedelta(hours=47))
        unit.commit()
    withdrawn = withdrawals(units, known.directory).withdraw(HANDLE, 80, None, message_id=44)
    assert (withdrawn.language, withdrawn.notified) == ("ru", False)
    assert withdrawn.erase == (40, 41, 42, 43, 44)
    with units() as unit:
        assert unit.drafts.get(HANDLE, NOW) is None
        assert unit.contacts.get(REF) is None, "every link of the account goes"
    assert notices(units) == []
