"""Sealing cases to coalition staff with age (age-encryption.org/v1), via pyrage.

A sealed case opens with the stock `age` tool and a staff identity; the server holds only
recipients (public keys) and cannot open what it sealed.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable, Sequence

import pyrage

from storage.errors import StorageError

AGE_HEADER = b"age-encryption.org/v1\n"


class CaseUnopenable(StorageError):
    """A sealed case cannot be opened with the given identities (wrong key or damaged file)."""

    def __init__(self) -> None:
        super().__init__("the case cannot be opened with this key, or the file is damaged")


class BadKey(StorageError):
    """A key (recipient or identity) is malformed, or its passphrase is wrong."""


def parse_recipient(text: str) -> pyrage.x25519.Recipient:
    try:
        return pyrage.x25519.Recipient.from_str(text.strip())
    except pyrage.RecipientError as error:
        raise BadKey(f"not an age public key (age1...): {error}") from None


def seal_case(payload: bytes, recipients: Sequence[str]) -> bytes:
    if not recipients:
        raise BadKey("a case needs at least one recipient")
    return bytes(pyrage.encrypt(payload, [parse_recipient(r) for r in recipients]))


def open_case(sealed: bytes, identities: Iterable[pyrage.x25519.Identity]) -> bytes:
    keys = list(identities)
    if not keys:
        raise CaseUnopenable
    try:
        return bytes(pyrage.decrypt(sealed, keys))
    except (pyrage.DecryptError, ValueError, TypeError):
        raise CaseUnopenable from None


def new_identity() -> tuple[str, str]:
    """A fresh staff identity: (secret `AGE-SECRET-KEY-1...`, public `age1...`)."""
    identity = pyrage.x25519.Identity.generate()
    return str(identity), str(identity.to_public())


def protect_identity(secret: str, passphrase: str) -> bytes:
    """The identity file, encrypted with a passphrase (the stock `age -d -i` asks for it)."""
    return bytes(pyrage.passphrase.encrypt(f"{secret}\n".encode(), passphrase))


def read_identities(content: bytes, passphrase: str | None = None) -> list[pyrage.x25519.Identity]:
    """Identities from an identity file: plain text, or passphrase-encrypted with age."""
    if content.startswith(AGE_HEADER) or content.startswith(b"-----BEGIN AGE ENCRYPTED FILE"):
        if passphrase is None:
            raise BadKey("this identity file is protected by a passphrase")
        try:
            content = bytes(pyrage.passphrase.decrypt(content, passphrase))
        except pyrage.DecryptError:
            raise BadKey("wrong passphrase for this identity file") from None
    identities = []
    for line in content.decode("utf-8", errors="replace").splitlines():
        line = line.strip()
        if line.startswith("AGE-SECRET-KEY-"):
            try:
                identities.append(pyrage.x25519.Identity.from_str(line))
            except pyrage.IdentityError:
                raise BadKey("malformed age identity in the file") from None
    if not identities:
        raise BadKey("no age identity (AGE-SECRET-KEY-1...) in the file")
    return identities


def needs_passphrase(content: bytes) -> bool:
    return content.startswith(AGE_HEADER) or content.startswith(b"-----BEGIN AGE ENCRYPTED FILE")


def fingerprint(recipient: str) -> str:
    """A short, readable fingerprint of a public key, to compare it out loud: `XXXX-XXXX`."""
    digest = hashlib.sha256(recipient.strip().encode()).digest()
    text = base64.b32encode(digest).decode()[:8]
    return f"{text[:4]}-{text[4:]}"


class AgeKeys:
    """Checking and making staff keys, for the bot's coalitions file (its `StaffKeys`)."""

    def is_recipient(self, text: str) -> bool:
        try:
            parse_recipient(text)
        except BadKey:
            return False
        return True

    def new_identity(self) -> tuple[str, str]:
        return new_identity()

    def fingerprint(self, recipient: str) -> str:
        return fingerprint(recipient)
