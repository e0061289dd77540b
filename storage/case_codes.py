"""Case codes: how a complainant who wants no link to their Telegram account reads answers.

A code is 16 random Crockford base32 characters (80 bits), shown once. The server keeps only
its Argon2id hash, salted with a secret derived from the server key, so it can look a code up
without a stored salt per case. A second key derived from the same hash locks the age identity
that opens the coalition's messages for this code: without the code they stay sealed.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

import pyrage
from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from storage.errors import Unreadable
from storage.sealing import CaseUnopenable, open_case

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_CHARACTERS = 16
CONFIRM_CHARACTERS = 4
_UNGROUPED = re.compile(r"^[0-9A-HJKMNP-TV-Z]{16}$")
_ARGON2_TIME = 3
_ARGON2_MEMORY_KIB = 64 * 1024
_NONCE_BYTES = 12


def new_case_code() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(CODE_CHARACTERS))
    return "-".join(body[i : i + 4] for i in range(0, CODE_CHARACTERS, 4))


def normalise_case_code(text: str) -> str | None:
    """What a person typed, read leniently (case, spaces, dashes, O/0, I/L/1), or None."""
    cleaned = normalise_fragment(text)
    if not _UNGROUPED.match(cleaned):
        return None
    return "-".join(cleaned[i : i + 4] for i in range(0, CODE_CHARACTERS, 4))


def confirmation_part(code: str) -> str:
    """What the complainant types back to show they have written the code down."""
    return code.replace("-", "")[-CONFIRM_CHARACTERS:]


def matches_confirmation(expected_digest: str, typed: str) -> bool:
    cleaned = normalise_fragment(typed)
    return hmac.compare_digest(expected_digest, confirmation_digest(cleaned))


def confirmation_digest(part: str) -> str:
    return hashlib.sha256(f"case-code-confirmation:{part}".encode()).hexdigest()


def normalise_fragment(text: str) -> str:
    """Upper case, no spaces or dashes, and the look-alikes Crockford base32 folds (O, I, L)."""
    cleaned = re.sub(r"[\s\-]", "", text.upper()).replace("O", "0")
    return cleaned.replace("I", "1").replace("L", "1")


@dataclass(frozen=True)
class CodeKeys:
    """What a code derives: the look-up value stored with the case, and the key to its box."""

    lookup: str
    box_key: bytes

    def open_messages(self, locked_identity: bytes, sealed: Sequence[bytes]) -> list[bytes] | None:
        """The messages sealed for this code, opened with the identity the code unlocks; None
        if it does not unlock it, or a message does not open (the same answer either way)."""
        try:
            identity = open_code_box(locked_identity, self)
            return [open_case(message, [identity]) for message in sealed]
        except (Unreadable, CaseUnopenable):
            return None


def derive_code_keys(code: str, salt_key: bytes) -> CodeKeys:
    salt = hmac.new(salt_key, b"complaint-bot case code salt", hashlib.sha256).digest()[:16]
    raw = hash_secret_raw(
        code.encode(),
        salt,
        time_cost=_ARGON2_TIME,
        memory_cost=_ARGON2_MEMORY_KIB,
        parallelism=1,
        hash_len=64,
        type=Type.ID,
    )
    return CodeKeys(lookup=raw[:32].hex(), box_key=raw[32:])


@dataclass(frozen=True)
class CodeBox:
    """A fresh age identity for a case code: its recipient, and its secret locked by the code."""

    recipient: str
    locked_identity: bytes


def new_code_box(keys: CodeKeys) -> CodeBox:
    identity = pyrage.x25519.Identity.generate()
    nonce = secrets.token_bytes(_NONCE_BYTES)
    locked = nonce + AESGCM(keys.box_key).encrypt(nonce, str(identity).encode(), b"code-box")
    return CodeBox(str(identity.to_public()), locked)


def open_code_box(locked: bytes, keys: CodeKeys) -> pyrage.x25519.Identity:
    nonce, sealed = locked[:_NONCE_BYTES], locked[_NONCE_BYTES:]
    try:
        secret = AESGCM(keys.box_key).decrypt(nonce, sealed, b"code-box")
        return pyrage.x25519.Identity.from_str(secret.decode())
    except (InvalidTag, ValueError, pyrage.IdentityError):
        raise Unreadable from None


@dataclass(frozen=True)
class IssuedCode:
    """A fresh code (shown once), its look-up value, and the box of the identity it unlocks."""

    code: str
    lookup: str
    recipient: str
    locked_identity: bytes


class CaseCodeKeys:
    """Case codes under the server's salt key: what the case services are given for codes."""

    def __init__(self, salt_key: bytes) -> None:
        self._salt_key = salt_key

    def issue(self) -> IssuedCode:
        code = new_case_code()
        keys = derive_code_keys(code, self._salt_key)
        box = new_code_box(keys)
        return IssuedCode(code, keys.lookup, box.recipient, box.locked_identity)

    def key_of(self, typed: str) -> CodeKeys | None:
        code = normalise_case_code(typed)
        return derive_code_keys(code, self._salt_key) if code is not None else None
