"""After sending with a case code, the complainant types its end back before the code goes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from bot.intake.draft import Draft
from bot.intake.inputs import Choose, Submit
from bot.intake.ports import Destination, PreparedCase, Receipt, UnitOfWork
from bot.intake.service import CodeAwaited, CodeConfirmed, IntakeService, NoDraft, Sent
from storage.case_codes import confirmation_digest, confirmation_part, matches_confirmation
from storage.memory import MemoryStore
from tests.forms import form_from

FORM = form_from(
    """
    id: tiny
    version: 1
    fast_track: {when: {q: contact, is: none}}
    urgency: {high: 5, medium: 2, rules: []}
    sections:
      - id: A
        title: Only
        questions:
          - {id: contact, type: single, choices: ways, required: true, text: "How?"}
    choice_lists:
      ways: [{code: case_code, label: Code}, {code: none, label: None}]
    """
)
CODE = "ABCD-EFGH-JKMN-PQRS"


class CodeGivingSubmitter:
    """Stands in for sealing and routing, which have their own tests; gives a fixed code."""

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
        code = CODE if draft.answers.get("contact") == "case_code" else None
        return Receipt("KZ-AAAA-BBBB", self.destination(draft.answers), code)


def service() -> IntakeService:
    return IntakeService(
        FORM,
        MemoryStore().unit_of_work,
        submitter=CodeGivingSubmitter(),
        confirmation=(
            lambda code: confirmation_digest(confirmation_part(code)),
            matches_confirmation,
        ),
    )


def send(intake: IntakeService, way: str) -> object:
    intake.begin("h", 1, "en", {}, first_message_id=5, chat_id=77)
    intake.give("h", 2, Choose(way))
    return intake.give("h", 3, Submit())


def test_the_code_waits_for_its_last_characters() -> None:
    intake = service()
    sent = send(intake, "case_code")
    assert isinstance(sent, Sent)
    assert sent.receipt is not None
    assert sent.receipt.case_code == CODE
    assert intake.current("h") == CodeAwaited("en")
    intake.remember_code_message("h", 42)
    assert intake.give_text("h", 4, "JKMN") == CodeAwaited("en", mismatch=True)
    assert intake.give("h", 5, Choose("none")) == CodeAwaited("en", mismatch=True)
    assert intake.give_text("h", 6, "pq rs") == CodeConfirmed("en", 42, erase=(42,))
    assert intake.current("h") == NoDraft()


def test_without_a_code_nothing_waits() -> None:
    intake = service()
    assert isinstance(send(intake, "none"), Sent)
    assert intake.current("h") == NoDraft()


def test_a_new_report_can_start_while_the_code_waits() -> None:
    intake = service()
    send(intake, "case_code")
    started = intake.begin("h", 9, "en", {}, first_message_id=50, chat_id=77)
    assert not isinstance(started, CodeAwaited)
    assert intake.current("h") != CodeAwaited("en")


def test_a_code_whose_message_was_never_recorded_still_leaves_the_chat() -> None:
    """The bot stopped between showing the code and recording where: on confirmation every
    message after the submission goes, the code's among them."""
    intake = service()
    intake.begin("h", 1, "en", {}, first_message_id=5, chat_id=77)
    intake.give("h", 2, Choose("case_code"))
    sent = intake.give("h", 3, Submit(), shown_id=20)
    assert isinstance(sent, Sent)
    assert sent.erase == tuple(range(5, 20)), "the conversation goes, the receipt (20) stays"
    confirmed = intake.give_text("h", 4, "PQRS", message_id=23)
    assert isinstance(confirmed, CodeConfirmed)
    assert confirmed.code_message_id is None
    assert confirmed.erase == (21, 22, 23), "the code (21) and what came after; the receipt stays"
