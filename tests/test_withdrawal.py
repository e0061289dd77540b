"""Withdrawing consent, over the unit of work (in memory and SQLite): the coalition gets one
sealed notice; an unknown reference leaves no trace."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.cases.coalitions import CoalitionDirectory
from bot.cases.withdrawal import Withdrawals
from storage.sealing import seal_case
from tests.kit import KZ_CHAT, NOW, Clock, Coalitions, Units, add_case, coalitions

REF = "KZ-W1TH-DRAW"
LEASE = dt.timedelta(seconds=60)


@pytest.fixture
def known() -> Coalitions:
    return coalitions()


def withdrawals(units: Units, directory: CoalitionDirectory) -> Withdrawals:
    return Withdrawals(units, directory, seal_case, clock=Clock())


def test_the_coalition_gets_one_sealed_notice(units: Units, known: Coalitions) -> None:
    add_case(units, REF)
    service = withdrawals(units, known.directory)
    assert service.withdraw(51, REF)
    assert not service.withdraw(51, REF), "a redelivered update sends nothing more"
    with units() as unit:
        sealed = unit.cases.sealed_file(REF, 1)
        assert unit.cases.next_file_number(REF) == 2
        (delivery,) = unit.outbox.claim_due(NOW, LEASE)
    assert sealed is not None
    notice = known.manifest("kz", sealed, "notice.json")
    assert (notice["kind"], notice["reference"]) == ("consent_withdrawn", REF)
    assert notice["received_on"] == NOW.date().isoformat()
    assert (delivery.number, delivery.chat_id, delivery.kind) == (1, KZ_CHAT, "file")


def test_an_unknown_reference_sends_nothing(units: Units, known: Coalitions) -> None:
    add_case(units, REF)
    service = withdrawals(units, known.directory)
    assert not service.withdraw(52, "KZ-0000-0000")
    with units() as unit:
        assert unit.outbox.claim_due(NOW, LEASE) == []
        assert unit.cases.next_file_number(REF) == 1


def test_a_case_of_a_coalition_since_removed_sends_nothing(units: Units, known: Coalitions) -> None:
    add_case(units, "TJ-W1TH-DRAW", "gone")
    assert not withdrawals(units, known.directory).withdraw(53, "TJ-W1TH-DRAW")
    with units() as unit:
        assert unit.outbox.claim_due(NOW, LEASE) == []
