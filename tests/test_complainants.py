"""What complainants do with cases they sent, over the unit of work (in memory and SQLite):
see their status, read the coalition's messages with a case code, answer, forget the link."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.cases.casework import Actor, Casework, Relayed, Unreachable
from bot.cases.complainants import CoalitionMessage, ComplainantCases, Found, Miss, SlowDown
from bot.cases.followups import Enclosure
from bot.cases.vocabulary import ContactWay
from bot.cases.ways import ContactWays
from bot.cases.withdrawal import Withdrawals
from storage.case_codes import CaseCodeKeys
from storage.sealing import seal_case
from storage.server_keys import ServerKeys
from tests.e2e import CATALOGS
from tests.kit import (
    KZ_CHAT,
    KZ_STAFF,
    NOW,
    Clock,
    Coalitions,
    Units,
    add_case,
    coalitions,
    relay_seal,
)

CHAT_REF = "KZ-CHAT-0001"
CODE_REF = "KZ-C0DE-0001"
HANDLE = "handle-5b1f0c"
OTHER = "handle-9e2d47"
LEASE = dt.timedelta(seconds=60)
STAFF = Actor(KZ_STAFF, KZ_CHAT, "staff-a")


class World:
    """A chat-linked case and a case-code case of the same coalition, and its staff."""

    def __init__(self, units: Units) -> None:
        self.units = units
        self.clock = Clock()
        self.known: Coalitions = coalitions()
        self.ways = ContactWays(CaseCodeKeys(ServerKeys.generate().handle_key))
        self.cases = ComplainantCases(
            units, self.known.directory, seal_case, self.ways, clock=self.clock
        )
        self.withdrawals = Withdrawals(
            units,
            self.known.directory,
            seal_case,
            self.clock,
            forget_grants=self.cases.grants.revoke,
        )
        self.casework = Casework(
            units, self.known.directory, CATALOGS, seal_case, relay_seal(), clock=self.clock
        )
        add_case(units, CHAT_REF)
        add_case(units, CODE_REF)
        with units() as unit:
            kept = self.ways.record(
                unit, CHAT_REF, HANDLE, {"k_contact_way": "bot_chat"}, "en", 8_120_554_317
            )
            code = self.ways.record(
                unit, CODE_REF, OTHER, {"k_contact_way": "case_code"}, "en", None
            )
            unit.commit()
        assert kept is None
        assert code is not None
        self.code = code


@pytest.fixture
def world(units: Units) -> World:
    return World(units)


def test_the_notified_account_sees_the_status_of_its_own_cases_only(world: World) -> None:
    world.casework.acknowledge(STAFF, 1, CHAT_REF)
    assert [(c.reference, c.status) for c in world.cases.statuses(HANDLE)] == [
        (CHAT_REF, "in_progress")
    ]
    assert world.cases.statuses(OTHER) == [], "a case code links no account to its case"


def test_a_correct_code_shows_the_status_and_the_coalitions_messages_once(world: World) -> None:
    assert world.casework.reply(STAFF, 1, CODE_REF, "Please call us") == Relayed(ContactWay.CODE)
    found = world.cases.check(OTHER, world.code.lower().replace("-", " "))
    assert isinstance(found, Found)
    assert (found.reference, found.status) == (CODE_REF, "new")
    assert found.messages == [
        CoalitionMessage("KZ coalition", "Please call us", NOW.date().isoformat(), None)
    ]
    world.cases.mark_read(found.message_ids)
    again = world.cases.check(OTHER, world.code)
    assert isinstance(again, Found)
    assert again.messages == [], "read messages are deleted: the chat holds the only copy"


def test_wrong_codes_slow_down_twice_as_long_each_time(world: World) -> None:
    wrong = "ABCD-EFGH-JKMN-PQRS"
    assert world.cases.check(HANDLE, wrong) == Miss()
    assert world.cases.check(HANDLE, "not a code at all") == Miss(), "the same answer"
    assert world.cases.check(HANDLE, wrong) == Miss()
    assert world.cases.check(HANDLE, world.code) == SlowDown(30), "even the right code waits"
    world.clock.advance(seconds=30)
    assert world.cases.check(HANDLE, wrong) == Miss()
    assert world.cases.check(HANDLE, wrong) == SlowDown(60)
    world.clock.advance(seconds=60)
    assert isinstance(world.cases.check(HANDLE, world.code), Found)
    assert world.cases.check(HANDLE, wrong) == Miss(), "success forgives the failures"


def test_who_may_answer_a_case(world: World) -> None:
    assert world.cases.may_answer(HANDLE, CHAT_REF), "the account that asked to be notified"
    assert not world.cases.may_answer(OTHER, CHAT_REF)
    assert not world.cases.may_answer(HANDLE, CODE_REF), "not before a correct /check"
    assert isinstance(world.cases.check(HANDLE, world.code), Found)
    assert world.cases.may_answer(HANDLE, CODE_REF), "a code holder, for a while"
    world.clock.advance(minutes=31)
    assert not world.cases.may_answer(HANDLE, CODE_REF), "the grant ends"


def test_an_answer_is_sealed_to_the_coalition_and_queued_once(world: World) -> None:
    photo = Enclosure("photo.jpg", "image/jpeg", b"\xff\xd8 a bruise")
    assert world.cases.answer(41, HANDLE, CHAT_REF, "He is in SIZO-1", photo)
    assert world.cases.answer(41, HANDLE, CHAT_REF, "He is in SIZO-1", photo), "redelivered"
    with world.units() as unit:
        sealed = unit.cases.sealed_file(CHAT_REF, 1)
        assert unit.cases.next_file_number(CHAT_REF) == 2, "one file, not two"
        (delivery,) = unit.outbox.claim_due(NOW, LEASE)
    assert sealed is not None
    message = world.known.manifest("kz", sealed)
    assert (message["kind"], message["text"]) == ("complainant_message", "He is in SIZO-1")
    assert message["attachments"][0]["path"] == "attachments/photo.jpg"
    assert (delivery.reference, delivery.number, delivery.chat_id) == (CHAT_REF, 1, KZ_CHAT)


def test_an_answer_from_anyone_else_is_refused_and_nothing_is_kept(world: World) -> None:
    assert not world.cases.answer(42, OTHER, CHAT_REF, "I am someone else", None)
    with world.units() as unit:
        assert unit.cases.next_file_number(CHAT_REF) == 1
        assert unit.outbox.claim_due(NOW, LEASE) == []
    assert world.cases.answer(42, HANDLE, CHAT_REF, "me", None), "the update was not taken"


def test_forgetting_the_account_erases_its_way_back_and_waiting_messages(world: World) -> None:
    assert world.casework.reply(STAFF, 1, CHAT_REF, "We will call") == Relayed(ContactWay.CHAT)
    assert not world.withdrawals.withdraw(HANDLE, 102, None).notified
    assert world.cases.statuses(HANDLE) == []
    assert not world.cases.may_answer(HANDLE, CHAT_REF)
    with world.units() as unit:
        assert unit.contacts.get(CHAT_REF) is None
        assert unit.outbox.claim_due(NOW, LEASE) == [], "the undelivered relay is dropped"
        assert unit.cases.get(CHAT_REF) is not None, "the case stays with the coalition"
    assert world.casework.reply(STAFF, 2, CHAT_REF, "Hello?") == Unreachable()


def test_forgetting_one_case_keeps_the_others_and_ends_code_grants(world: World) -> None:
    assert isinstance(world.cases.check(HANDLE, world.code), Found)
    withdrawn = world.withdrawals.withdraw(HANDLE, 103, CODE_REF)
    assert not withdrawn.notified, "a code case is not linked: nothing to withdraw from here"
    assert not world.cases.may_answer(HANDLE, CODE_REF), "but the grant is revoked"
    assert world.cases.may_answer(HANDLE, CHAT_REF)
