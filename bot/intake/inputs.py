"""What a complainant can do at a step, independent of how they did it."""

from __future__ import annotations

from dataclasses import dataclass

from bot.intake.answers import FileRef


@dataclass(frozen=True)
class Choose:
    code: str


@dataclass(frozen=True)
class Toggle:
    code: str


@dataclass(frozen=True)
class Done:
    pass


@dataclass(frozen=True)
class TextInput:
    text: str


@dataclass(frozen=True)
class VoiceInput:
    file: FileRef
    duration: int


@dataclass(frozen=True)
class FileInput:
    file: FileRef


@dataclass(frozen=True)
class Skip:
    pass


@dataclass(frozen=True)
class Back:
    pass


@dataclass(frozen=True)
class Keep:
    pass


@dataclass(frozen=True)
class Submit:
    pass


@dataclass(frozen=True)
class Edit:
    question_id: str


@dataclass(frozen=True)
class ToSummary:
    """While adding details after the urgent track: leave the rest unanswered, back to the
    summary."""


@dataclass(frozen=True)
class AddDetails:
    pass


@dataclass(frozen=True)
class Unsupported:
    """Something the form can never take, such as a sticker."""

    kind: str


Input = (
    Choose
    | Toggle
    | Done
    | TextInput
    | VoiceInput
    | FileInput
    | Skip
    | Back
    | Keep
    | Submit
    | Edit
    | AddDetails
    | ToSummary
    | Unsupported
)
