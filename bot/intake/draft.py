"""A complainant's draft: the answers so far and where they are in the form."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from bot.intake.answers import AnswerValue


@dataclass
class Draft:
    form_id: str
    form_version: int
    language: str
    answers: dict[str, AnswerValue] = field(default_factory=dict)
    history: list[str] = field(default_factory=list)
    cursor: str | None = None
    back_to_review: bool = False
    pending: list[Any] = field(default_factory=list)
    pending_for: str | None = None
    expanded: bool = False
    visit: int = 0
    ended: str | None = None
    submitted: bool = False
    first_message_id: int | None = None
    last_message_id: int | None = None
    chat_id: int | None = None
    code_check: str | None = None
    code_message_id: int | None = None

    def to_bytes(self) -> bytes:
        # vars(), not dataclasses.asdict(): the fields are JSON values already, and asdict's
        # deep copy of every answer costs more than the encoding itself.
        return json.dumps(vars(self), ensure_ascii=False, separators=(",", ":")).encode()

    @classmethod
    def from_bytes(cls, payload: bytes) -> Draft:
        return cls(**json.loads(payload))

    def copy(self) -> Draft:
        return Draft.from_bytes(self.to_bytes())
