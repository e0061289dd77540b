"""Sealing values at rest under the server key: AES-256-GCM envelopes bound to their row.

Envelope v1: 0x01 | key id (4 bytes) | nonce (12 bytes) | ciphertext and tag.
The associated data names the purpose and the row, so a ciphertext copied to another row, or used
for another purpose, fails to open.
"""

from __future__ import annotations

import hashlib
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from storage.errors import Unreadable

_VERSION = b"\x01"
_NONCE_BYTES = 12
_KEY_ID_BYTES = 4
_HEADER = len(_VERSION) + _KEY_ID_BYTES + _NONCE_BYTES


class AtRestSealer:
    def __init__(self, keys: tuple[bytes, ...]) -> None:
        if not keys:
            raise ValueError("at least one at-rest key is needed")
        self._current = keys[0]
        self._by_id = {_key_id(k): AESGCM(k) for k in reversed(keys)}
        self._current_id = _key_id(self._current)

    def seal_at_rest(self, plaintext: bytes, *, purpose: str, row: str) -> bytes:
        nonce = secrets.token_bytes(_NONCE_BYTES)
        sealed = self._by_id[self._current_id].encrypt(nonce, plaintext, _aad(purpose, row))
        return _VERSION + self._current_id + nonce + sealed

    def open_at_rest(self, envelope: bytes, *, purpose: str, row: str) -> bytes:
        if len(envelope) < _HEADER + 16 or envelope[:1] != _VERSION:
            raise Unreadable
        cipher = self._by_id.get(envelope[1 : 1 + _KEY_ID_BYTES])
        if cipher is None:
            raise Unreadable
        nonce = envelope[1 + _KEY_ID_BYTES : _HEADER]
        try:
            return cipher.decrypt(nonce, envelope[_HEADER:], _aad(purpose, row))
        except InvalidTag:
            raise Unreadable from None


class PurposeSeal:
    """Seals values of one purpose at rest, each bound to its row (for the bot's services,
    which name what they keep by intent and never see a key)."""

    def __init__(self, sealer: AtRestSealer, purpose: str) -> None:
        self._sealer = sealer
        self._purpose = purpose

    def seal(self, row: str, plaintext: bytes) -> bytes:
        return self._sealer.seal_at_rest(plaintext, purpose=self._purpose, row=row)

    def open(self, row: str, envelope: bytes) -> bytes:
        return self._sealer.open_at_rest(envelope, purpose=self._purpose, row=row)


def _key_id(key: bytes) -> bytes:
    return hashlib.sha256(b"complaint-bot key id" + key).digest()[:_KEY_ID_BYTES]


def _aad(purpose: str, row: str) -> bytes:
    return f"complaint-bot/v1|{purpose}|{row}".encode()
