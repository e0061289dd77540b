"""Ways back to complainants: a sealed chat id or a case code, and messages kept for a code."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from storage.at_rest import AtRestSealer
from storage.schema import CaseContactRow, CaseMessageRow

_CONTACT = "case-contact"
CHAT = "chat"
CODE = "code"


@dataclass(frozen=True)
class Contact:
    reference: str
    way: str
    language: str
    code_word: str | None
    chat_id: int | None = None
    handle: str | None = None
    code_recipient: str | None = None


@dataclass(frozen=True)
class CodeHolder:
    """A case found by its code: where its messages are sealed to, and the locked identity."""

    reference: str
    recipient: str
    locked_identity: bytes


class SqlContacts:
    def __init__(self, session: Session, sealer: AtRestSealer) -> None:
        self._session = session
        self._sealer = sealer

    def add_chat(
        self,
        reference: str,
        handle: str,
        chat_id: int,
        language: str,
        code_word: str | None,
    ) -> None:
        sealed = self._seal(reference, {"chat_id": chat_id, "lang": language, "word": code_word})
        self._session.add(
            CaseContactRow(reference=reference, way=CHAT, handle=handle, sealed=sealed)
        )
        self._session.flush()

    def add_code(
        self,
        reference: str,
        lookup: str,
        recipient: str,
        locked_identity: bytes,
        language: str,
        code_word: str | None,
    ) -> None:
        sealed = self._seal(reference, {"lang": language, "word": code_word})
        self._session.add(
            CaseContactRow(
                reference=reference,
                way=CODE,
                sealed=sealed,
                code_lookup=lookup,
                code_recipient=recipient,
                code_identity=locked_identity,
            )
        )
        self._session.flush()

    def get(self, reference: str) -> Contact | None:
        row = self._session.get(CaseContactRow, reference)
        if row is None:
            return None
        data = json.loads(self._sealer.open_at_rest(row.sealed, purpose=_CONTACT, row=reference))
        return Contact(
            reference,
            row.way,
            data["lang"],
            data.get("word"),
            data.get("chat_id"),
            row.handle,
            row.code_recipient,
        )

    def by_code(self, lookup: str) -> CodeHolder | None:
        row = self._session.scalar(
            select(CaseContactRow).where(CaseContactRow.code_lookup == lookup)
        )
        if row is None or row.code_recipient is None or row.code_identity is None:
            return None
        return CodeHolder(row.reference, row.code_recipient, row.code_identity)

    def references_of(self, handle: str) -> list[str]:
        query = select(CaseContactRow.reference).where(CaseContactRow.handle == handle)
        return sorted(self._session.scalars(query))

    def erase(self, references: list[str]) -> None:
        """Forget how to reach these complainants: chat id, code word, code, waiting messages."""
        if not references:
            return
        self._session.execute(
            delete(CaseMessageRow).where(CaseMessageRow.reference.in_(references))
        )
        self._session.execute(
            delete(CaseContactRow).where(CaseContactRow.reference.in_(references))
        )

    def keep_message(self, reference: str, sealed: bytes, now: dt.datetime) -> None:
        self._session.add(CaseMessageRow(reference=reference, sealed=sealed, created_at=now))
        self._session.flush()

    def messages_for(self, reference: str) -> list[tuple[int, bytes]]:
        query = (
            select(CaseMessageRow.id, CaseMessageRow.sealed)
            .where(CaseMessageRow.reference == reference)
            .order_by(CaseMessageRow.id)
        )
        return [(row_id, sealed) for row_id, sealed in self._session.execute(query).all()]

    def drop_messages(self, ids: list[int]) -> None:
        if ids:
            self._session.execute(delete(CaseMessageRow).where(CaseMessageRow.id.in_(ids)))

    def _seal(self, reference: str, data: dict[str, object]) -> bytes:
        payload = json.dumps(data, ensure_ascii=False).encode()
        return self._sealer.seal_at_rest(payload, purpose=_CONTACT, row=reference)
