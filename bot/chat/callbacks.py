"""Callback data: namespaced, at most 64 bytes, no user data, parsed strictly on receipt.

Form: `q:<visit>:<op>[:<arg>]` for questionnaire buttons (the visit number ties a button to the step
it was shown for), `l:<language>` to pick a language. Anything else is treated as stale.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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
)

MAX_BYTES = 64
_STEP = re.compile(r"^q:(\d{1,7}):([a-zA-Z])(?::([A-Za-z0-9_]{1,40}))?$")
_LANGUAGE = re.compile(r"^l:([a-z]{2})$")

CHOOSE, TOGGLE, DONE, SKIP, BACK, KEEP = "c", "t", "d", "s", "b", "k"
SUBMIT, EDIT, ADD_DETAILS, PICK_EDIT, SHOW_REVIEW = "S", "e", "a", "E", "R"
_OPS = {CHOOSE, TOGGLE, DONE, SKIP, BACK, KEEP, SUBMIT, EDIT, ADD_DETAILS, PICK_EDIT, SHOW_REVIEW}
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


Button = StepButton | LanguageButton


def decode(data: str | None) -> Button | None:
    if not data or len(data.encode()) > MAX_BYTES:
        return None
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
