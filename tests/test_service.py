"""The intake service over real storage: one transaction per update, applied once."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import zipfile
from collections.abc import Callable, Mapping
from typing import Any

import pytest
from sqlalchemy import Engine

from bot.cases.coalitions import Routing
from bot.cases.package import CaseFacts, build_package
from bot.chat.screens import Screens
from bot.i18n import Catalogs
from bot.intake import engine
from bot.intake.draft import Draft
from bot.intake.inputs import Choose, Done, Input, Skip, Submit, Toggle
from bot.intake.loader import load_form
from bot.intake.ports import Destination, PreparedCase, Receipt, UnitOfWork
from bot.intake.service import (
    AlreadyApplied,
    Arrival,
    IntakeService,
    NoDraft,
    Refused,
    Sent,
    Shown,
    Stale,
)
from bot.intake.urgency import urgency_of
from bot.intake.vocabulary import Refusal
from storage.at_rest import AtRestSealer
from storage.database import make_sessions
from storage.memory import MemoryStore
from storage.server_keys import ServerKeys
from storage.unit_of_work import SqlUnitOfWork
from tests.desk_fixtures import coalition
from tests.e2e import plaintext_hits

FORM = load_form()
CATALOGS = Catalogs.load()


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime(2026, 11, 27, 10, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(params=["sql", "memory"])
def service(request: pytest.FixtureRequest, clock: Clock, database: Engine) -> IntakeService:
    """The same behaviour from the SQL unit of work (both backends) and the in-memory fake."""
    if request.param == "memory":
        return IntakeService(FORM, MemoryStore().unit_of_work, clock=clock)
    sessions = make_sessions(database)
    sealer = AtRestSealer(ServerKeys.generate().at_rest_keys)
    return IntakeService(FORM, lambda: SqlUnitOfWork(sessions, sealer), clock=clock)


def question_of(outcome: object) -> str:
    assert isinstance(outcome, Shown | Refused | AlreadyApplied), outcome
    assert isinstance(outcome.step, engine.Prompt)
    return outcome.step.question.id


def test_a_redelivered_update_is_not_applied_twice(service: IntakeService) -> None:
    service.begin("h", 1, "en", {})
    for update_id, code in enumerate(["yes", "no", "yes"], start=2):
        service.give("h", update_id, Choose(code))
    first = service.give_text("h", 10, "Aigerim")
    assert question_of(first) == "r_role"
    first = service.give("h", 11, Choose("victim"))
    assert question_of(first) == "r_name"
    service.give_text("h", 12, "Aigerim")
    again = service.give_text("h", 12, "Aigerim")
    assert isinstance(again, AlreadyApplied)
    assert question_of(again) == "r_country_now", "the same step is shown again, nothing moved"


def test_a_button_from_an_old_step_is_stale(service: IntakeService) -> None:
    shown = service.begin("h", 1, "en", {})
    assert isinstance(shown, Shown)
    assert isinstance(shown.step, engine.Prompt)
    old_visit = shown.step.visit
    service.give("h", 2, Choose("yes"), visit=old_visit)
    stale = service.give("h", 3, Choose("exit"), visit=old_visit)
    assert isinstance(stale, Stale)
    assert question_of(service.current("h")) == "a_urgent"


def test_drafts_expire_after_their_lifetime(service: IntakeService, clock: Clock) -> None:
    service.begin("h", 1, "en", {})
    clock.now += dt.timedelta(hours=47, minutes=59)
    assert isinstance(service.current("h"), Shown)
    clock.now += dt.timedelta(minutes=2)
    assert isinstance(service.current("h"), NoDraft)
    assert isinstance(service.give("h", 2, Choose("yes")), NoDraft)
    fresh = service.begin("h", 3, "ru", {})
    assert isinstance(fresh, Shown)
    assert not fresh.resumed


def test_begin_resumes_an_unfinished_draft(service: IntakeService) -> None:
    service.begin("h", 1, "en", {})
    service.give("h", 2, Choose("yes"))
    again = service.begin("h", 3, "ru", {})
    assert isinstance(again, Shown)
    assert again.resumed
    assert again.language == "en"
    assert question_of(again) == "a_urgent"


def test_a_file_is_hashed_on_receipt_and_stored_sealed(database: Engine, clock: Clock) -> None:
    sessions = make_sessions(database)
    sealer = AtRestSealer(ServerKeys.generate().at_rest_keys)
    service = IntakeService(FORM, lambda: SqlUnitOfWork(sessions, sealer), clock=clock)
    service.begin("h", 1, "en", {})
    script = {"a_safe_now": "yes", "a_urgent": "no", "b_consent_store": "yes", "e_country": "KZ"}
    update_id = 2
    for _ in range(200):
        question = question_of(service.current("h"))
        if question == "h_files":
            break
        given: Input = Choose(script[question]) if question in script else Skip()
        assert not isinstance(service.give("h", update_id, given), Refused), question
        update_id += 1
    else:
        raise AssertionError("never reached the files question")
    photo = b"\xff\xd8 photo of a bruised arm"
    outcome = service.give_file("h", update_id, Arrival(photo, "arm.jpg", "image/jpeg"))
    assert isinstance(outcome, Shown)
    assert isinstance(outcome.step, engine.Prompt)
    (stored,) = outcome.step.pending
    assert stored["sha256"] == hashlib.sha256(photo).hexdigest()
    with SqlUnitOfWork(sessions, sealer) as unit:
        assert unit.drafts.get_file("h", stored["ref"]) == photo
    assert plaintext_hits(database, ["photo of a bruised arm", "arm.jpg"]) == []
    assert isinstance(service.give_text("h", update_id + 1, "x"), Refused)


class PackingSubmitter:
    """Routing and sealing have their own tests: this one keeps the real package it builds."""

    def __init__(self) -> None:
        self.packages: list[bytes] = []

    def destination(self, answers: Mapping[str, Any]) -> Destination:
        return Destination("Coalition", ("AAAA-BBBB",), demo=False)

    def prepare(
        self, load: Callable[[str], bytes], draft: Draft, now: dt.datetime
    ) -> PreparedCase | None:
        return None

    def submit(
        self,
        unit: UnitOfWork,
        handle: str,
        draft: Draft,
        now: dt.datetime,
        prepared: PreparedCase | None = None,
    ) -> Receipt:
        routing = Routing(coalition("age1" + "q" * 58), "KZ", cross_border=False)
        facts = CaseFacts("KZ-7G4M-Q2XD", routing, urgency_of(FORM, draft.answers), now.date())
        self.packages.append(build_package(FORM, draft, facts, {}, CATALOGS.translator("ru")))
        return Receipt(facts.reference, self.destination(draft.answers))


def test_a_draft_begun_under_form_version_1_reads_and_seals_as_this_version(
    clock: Clock, database: Engine
) -> None:
    """Version 2 split "renounce" (it covered a "repentance" video too) and dropped
    "discrimination": a draft saved before keeps what the person chose, with its labels."""
    sessions = make_sessions(database)
    sealer = AtRestSealer(ServerKeys.generate().at_rest_keys)
    packer = PackingSubmitter()

    def units() -> SqlUnitOfWork:
        return SqlUnitOfWork(sessions, sealer)

    service = IntakeService(FORM, units, clock=clock, submitter=packer)
    service.begin("h", 1, "ru", {})
    script = {"a_safe_now": "yes", "a_urgent": "no", "b_consent_store": "yes", "e_country": "KZ"}
    script |= {"e_detained": "yes", "g_ill_treated": "yes", "k_contact_way": "none"}
    update_id = 2
    outcome = service.current("h")
    while isinstance(outcome, Shown) and isinstance(outcome.step, engine.Prompt):
        question = outcome.step.question.id
        given: Input = Choose(script[question]) if question in script else Skip()
        if question == "g_purpose":
            service.give("h", update_id, Toggle("money"))
            update_id, given = update_id + 1, Done()
        outcome = service.give("h", update_id, given)
        update_id += 1
    assert isinstance(outcome, Shown)
    assert isinstance(outcome.step, engine.Review)
    with units() as unit:  # the same draft as version 1 wrote it
        stored = Draft.from_bytes(unit.drafts.get("h", clock.now) or b"")
        stored.form_version = 1
        stored.answers["g_purpose"] = ["renounce", "discrimination", "money"]
        unit.drafts.put("h", stored.to_bytes(), clock.now, dt.timedelta(hours=48))
        unit.commit()

    review = service.current("h")
    assert isinstance(review, Shown)
    assert isinstance(review.step, engine.Review)
    t = CATALOGS.translator("ru")
    summary = "\n".join(s.text for s in Screens(FORM, t).step(review.step))
    said = [t.gettext(c.label) for c in FORM.choice_lists["purpose"] if c.code != "dont_know"]
    wanted = [said[-2], said[-1], t.gettext("To get money")]  # renounce_or_video, discrimination
    assert ", ".join(wanted) in summary
    assert "discrimination" not in summary
    assert "renounce" not in summary

    assert isinstance(service.give("h", update_id, Submit()), Sent)
    with zipfile.ZipFile(io.BytesIO(packer.packages[0])) as package:
        case = json.loads(package.read("case.json"))
    assert case["form"] == {"id": FORM.id, "version": 2}
    purpose = next(a for a in case["answers"] if a["question_id"] == "g_purpose")
    assert purpose["value"] == ["renounce_or_video", "discrimination", "money"]
    assert purpose["labels"] == [
        'To make them renounce faith or views, or film a "repentance" video',
        "Because of who they are",
        "To get money",
    ]


def test_retired_choices_are_never_offered_again() -> None:
    question = FORM.question("g_purpose")
    offered = {c.code for c in FORM.offered_choices(question)}
    assert {"renounce", "repentance_video"} <= offered
    assert not offered & {"renounce_or_video", "discrimination"}
    draft = engine.start(FORM, "ru")
    draft.answers |= {"e_detained": "yes", "g_ill_treated": "yes"}
    draft.cursor = "g_purpose"
    today = dt.date(2026, 11, 27)
    refused = engine.apply(FORM, draft, Toggle("discrimination"), today)
    assert isinstance(refused, engine.Rejected)
    assert refused.error == Refusal.EXPECTS_CHOICES
    assert isinstance(engine.apply(FORM, draft, Toggle("renounce"), today), engine.Accepted)
