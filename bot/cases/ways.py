"""The way back to a complainant, recorded when the case is submitted.

- "bot_chat": the chat id, language and code word are kept sealed at rest with the case, and the
  case is linked to the account's pseudonymous handle (for /status; /delete erases it).
- "case_code": nothing links the case to the account. A case code is made, shown once, and kept
  only as its Argon2id hash; messages for it are sealed to an identity the code unlocks.
- anything else: no way back is kept.
"""

from __future__ import annotations

from typing import Any

from bot.cases.ports import CaseCodes, CodeKey
from bot.intake.ports import UnitOfWork

NOTIFY = "bot_chat"
CASE_CODE = "case_code"
CONTACT_QUESTION = "k_contact_way"
CODE_WORD_QUESTION = "k_code_word"


class ContactWays:
    def __init__(self, codes: CaseCodes) -> None:
        self._codes = codes

    def key_of(self, typed: str) -> CodeKey | None:
        """What a typed case code unlocks; None if it is no case code."""
        return self._codes.key_of(typed)

    def record(
        self,
        unit: UnitOfWork,
        reference: str,
        handle: str,
        answers: dict[str, Any],
        language: str,
        chat_id: int | None,
    ) -> str | None:
        """Keep the way back the complainant chose; returns the case code when one was made."""
        way = answers.get(CONTACT_QUESTION)
        code_word = _typed(answers.get(CODE_WORD_QUESTION))
        if way == NOTIFY and chat_id is not None:
            unit.contacts.add_chat(reference, handle, chat_id, language, code_word)
            return None
        if way == CASE_CODE:
            issued = self._codes.issue()
            unit.contacts.add_code(
                reference, issued.lookup, issued.recipient, issued.locked_identity, language,
                code_word,
            )  # fmt: skip
            return issued.code
        return None


def _typed(answer: Any) -> str | None:
    """The code word as typed (a voice answer cannot be quoted back, so it counts as none)."""
    text = answer.get("text") if isinstance(answer, dict) else answer
    return text.strip() if isinstance(text, str) and text.strip() else None
