"""The shapes answers take once accepted, all JSON-compatible."""

from __future__ import annotations

from typing import TypedDict


class FileRef(TypedDict):
    ref: str
    name: str
    mime: str
    size: int
    sha256: str


class VoiceRef(TypedDict):
    voice: FileRef
    duration: int


class TypedText(TypedDict):
    text: str


# single: choice code; multi: list of codes; integer: int; date: "YYYY", "YYYY-MM" or "YYYY-MM-DD";
# text: TypedText or VoiceRef; files: list of FileRef; None: skipped.
AnswerValue = str | list[str] | int | TypedText | VoiceRef | list[FileRef] | None
