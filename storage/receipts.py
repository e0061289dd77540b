"""Signed receipts: the server's Ed25519 signature over each sealed file it delivers.

The signature is in the minisign format, so staff (and anyone they pass a case to) can check it
with the stock `minisign -Vm FILE.age -P KEY` as well as with the desk. Its trusted comment (signed
too) names the reference, the file, its SHA-256 and the UTC day it was received. The signature sits
beside the sealed file (`<REF>.age.minisig`): nothing is written into the evidence itself.

The signing key is a server secret like the server key file: created on first start (0600, in a
0700 directory), refused when group- or world-readable.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import minisign

from storage.errors import KeyFileError

SIGNATURE_SUFFIX = ".minisig"
_READ = 1024 * 1024
COMMENT_PREFIX = "complaint-bot receipt"


@dataclass(frozen=True)
class Receipt:
    """What a receipt's trusted comment says, parsed back."""

    reference: str
    file_name: str
    sha256: str
    received_on: str


def trusted_comment(
    reference: str, file_name: str, sealed: bytes | IO[bytes], received_on: dt.date
) -> str:
    digest = _sha256(sealed)
    return (
        f"{COMMENT_PREFIX}\treference:{reference}\tfile:{file_name}"
        f"\tsha256:{digest}\treceived:{received_on.isoformat()}"
    )


def parse_trusted_comment(comment: str) -> Receipt | None:
    """The receipt a trusted comment describes; None if it is not one of ours."""
    head, *fields = comment.split("\t")
    if head != COMMENT_PREFIX:
        return None
    values = dict(field.partition(":")[::2] for field in fields)
    try:
        return Receipt(values["reference"], values["file"], values["sha256"], values["received"])
    except KeyError:
        return None


class ReceiptKey:
    """The server's signing key, loaded once."""

    def __init__(self, secret: minisign.SecretKey) -> None:
        self._secret = secret
        self.public_key = secret.get_public_key().to_base64().decode("ascii")

    def sign(
        self, sealed: bytes | IO[bytes], reference: str, file_name: str, received_on: dt.date
    ) -> bytes:
        """The content of `<file_name>.minisig`. A sealed file given as a seekable stream is
        read twice from its start (SHA-256, then minisign's BLAKE2b), never held whole."""
        comment = trusted_comment(reference, file_name, sealed, received_on)
        if not isinstance(sealed, bytes):
            sealed.seek(0)
        signature = self._secret.sign(
            sealed,
            prehash=True,
            untrusted_comment=f"{COMMENT_PREFIX} for {file_name}",
            trusted_comment=comment,
        )
        if not isinstance(sealed, bytes):
            sealed.seek(0)
        return bytes(signature) + b"\n"

    def public_key_file(self) -> bytes:
        """A `.pub` file as `minisign -G` writes it (for `minisign -V -p FILE`)."""
        return f"untrusted comment: complaint-bot receipts\n{self.public_key}\n".encode("ascii")


def _sha256(sealed: bytes | IO[bytes]) -> str:
    if isinstance(sealed, bytes):
        return hashlib.sha256(sealed).hexdigest()
    sealed.seek(0)
    digest = hashlib.sha256()
    while piece := sealed.read(_READ):
        digest.update(piece)
    return digest.hexdigest()


def sign_receipt(
    key: ReceiptKey, sealed: bytes | IO[bytes], reference: str, file_name: str, received_on: dt.date
) -> bytes:
    return key.sign(sealed, reference, file_name, received_on)


def load_or_create_receipt_key(path: Path) -> ReceiptKey:
    """Read the signing key; on first start create it (0600, in a 0700 directory)."""
    if not path.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        pair = minisign.KeyPair.generate()
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
        descriptor = os.open(path, flags, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(bytes(pair.secret_key) + b"\n")
            handle.flush()
            os.fsync(handle.fileno())
        return ReceiptKey(pair.secret_key)
    return load_receipt_key(path)


def load_receipt_key(path: Path) -> ReceiptKey:
    try:
        mode = path.stat().st_mode
        content = path.read_bytes()
    except OSError as error:
        raise KeyFileError(f"cannot read receipt signing key {path}: {error.strerror}") from error
    if os.name == "posix" and mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise KeyFileError(
            f"receipt signing key {path} is readable by others (mode {stat.S_IMODE(mode):o}); "
            "make it 0600"
        )
    try:
        secret = minisign.SecretKey.from_bytes(content.strip())
    except minisign.Error as error:
        raise KeyFileError(f"malformed receipt signing key {path}: {error}") from error
    if secret.is_encrypted():
        raise KeyFileError(
            f"receipt signing key {path} is password-protected; the bot needs it open"
        )
    return ReceiptKey(secret)
