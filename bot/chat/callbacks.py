"""Callback data, the one codec for every button: namespaced, at most 64 bytes, no user data,
parsed strictly on receipt.

- `q:<visit>:<op>[:<arg>]` questionnaire buttons (the visit number ties a button to the step it
  was shown for);
- `l:<language>` picks a language;
- `s:<op>:<REF>` buttons on a staff case card (who may press is checked on receipt);
- `a:<REF>` the complainant's Answer button under a coalition's message.

Anything else decodes to None and is treated as stale.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from bot.cases.reference import normalise_reference
from bot.intake.inputs import (
    AddDetails,
    Back,
    Choose,
    Done,
    Edit,
    Input,
    Keep,
    Skip,
    Submit,
    Toggle,
    ToSummary,
)

MAX_BYTES = 64
_STEP = re.compile(r"^q:(\d{1,7}):([a-zA-Z])(?::([A-Za-z0-9_]{1,40}))?$")
_LANGUAGE = re.compile(r"^l:([a-z]{2}(?:_[A-Z][a-z]{3})?)$")

CHOOSE, TOGGLE, DONE, SKIP, BACK, KEEP = "c", "t", "d", "s", "b", "k"
SUBMIT, EDIT, ADD_DETAILS, PICK_EDIT, SHOW_REVIEW = "S", "e", "a", "E", "R"
TO_SUMMARY = "F"  # after "Add more details": leave the rest, back to the summary
_OPS = {
    CHOOSE, TOGGLE, DONE, SKIP, BACK, KEEP, SUBMIT, EDIT, ADD_DETAILS, PICK_EDIT, SHOW_REVIEW,
    TO_SUMMARY,
}  # fmt: skip
_NEEDS_ARG = {CHOOSE, TOGGLE, EDIT}


@dataclass(frozen=True)
class StepButton:
    visit: int
    op: str
    arg: str | None = None

    def encode(self) -> str:
        data = f"q:{self.visit}:{self.op}" + (f":{self.arg}" if self.arg else "")
        if len(data.encode()) > MAX_BYTES:
            raise ValueError(f"callback data too long: {data}")
        return data


@dataclass(frozen=True)
class LanguageButton:
    language: str

    def encode(self) -> str:
        return f"l:{self.language}"


class StaffOp(StrEnum):
    ACKNOWLEDGE = "ack"  # new → in progress
    ASSIGN = "mine"
    REPLY = "reply"


@dataclass(frozen=True)
class StaffButton:
    op: StaffOp
    reference: str

    def encode(self) -> str:
        return f"s:{self.op}:{self.reference}"


@dataclass(frozen=True)
class AnswerButton:
    reference: str

    def encode(self) -> str:
        return f"a:{self.reference}"


Button = StepButton | LanguageButton | StaffButton | AnswerButton


def decode(data: str | None) -> Button | None:
    if not data or len(data.encode()) > MAX_BYTES:
        return None
    if data.startswith(("s:", "a:")):
        return _decode_case_button(data)
    if match := _STEP.match(data):
        visit, op, arg = int(match[1]), match[2], match[3]
        if op not in _OPS or (op in _NEEDS_ARG) != (arg is not None):
            return None
        return StepButton(visit, op, arg)
    if match := _LANGUAGE.match(data):
        return LanguageButton(match[1])
    return None


def input_for(button: StepButton) -> Input:
    """The questionnaire input a step button stands for (not the review navigation ones)."""
    arg = button.arg or ""
    simple: dict[str, Input] = {
        DONE: Done(),
        SKIP: Skip(),
        BACK: Back(),
        KEEP: Keep(),
        SUBMIT: Submit(),
        ADD_DETAILS: AddDetails(),
        TO_SUMMARY: ToSummary(),
    }
    if button.op == CHOOSE:
        return Choose(arg)
    if button.op == TOGGLE:
        return Toggle(arg)
    if button.op == EDIT:
        return Edit(arg)
    if button.op in simple:
        return simple[button.op]
    raise ValueError(f"not an input button: {button.op}")


def _decode_case_button(data: str) -> StaffButton | AnswerButton | None:
    parts = data.split(":")
    if len(parts) == 3 and parts[0] == "s" and parts[1] in tuple(StaffOp):
        reference = normalise_reference(parts[2])
        return StaffButton(StaffOp(parts[1]), reference) if reference else None
    if len(parts) == 2 and parts[0] == "a":
        reference = normalise_reference(parts[1])
        return AnswerButton(reference) if reference else None
    return None
