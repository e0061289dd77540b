"""Checking a sealed file's receipt (`<file>.minisig`) against the bot's pinned signing key.

A coalition's age key is public: anyone holding it can seal a forged "case". Only the bot holds
the receipt key, so a good receipt shows the file came through the bot and has not changed since.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import minisign

from bot.desk.errors import DeskError
from storage.receipts import SIGNATURE_SUFFIX, parse_trusted_comment


class ReceiptStatus(StrEnum):
    VERIFIED = "verified"
    UNSIGNED = "unsigned"
    OTHER_KEY = "signed by another key"
    INVALID = "INVALID"
    NOT_CHECKED = "not checked"


@dataclass(frozen=True)
class ReceiptCheck:
    status: ReceiptStatus
    detail: str
    reference: str | None = None
    received_on: str | None = None

    @property
    def verified(self) -> bool:
        return self.status is ReceiptStatus.VERIFIED

    def line(self, name: str) -> str:
        return f"{name}: receipt {self.status.value}: {self.detail}"


def load_signer(text: str) -> minisign.PublicKey:
    """The pinned key: its base64 form (`RW...`) or a `.pub` file as `minisign -G` writes it."""
    candidate = text.strip()
    path = Path(candidate)
    try:
        if not candidate.startswith("RW") and path.is_file():
            lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line]
            candidate = lines[-1].strip()
        return minisign.PublicKey.from_base64(candidate)
    except (OSError, UnicodeDecodeError, IndexError, minisign.Error):
        raise DeskError(
            f"--signer: {text!r} is not a minisign public key (RW...) or a .pub file"
        ) from None


def check_receipt(
    sealed_path: Path, sealed: bytes, signer: minisign.PublicKey | None
) -> ReceiptCheck:
    signature_path = sealed_path.with_name(sealed_path.name + SIGNATURE_SUFFIX)
    if not signature_path.is_file():
        return ReceiptCheck(
            ReceiptStatus.UNSIGNED,
            f"no {signature_path.name} beside it, so nothing shows it came through the bot",
        )
    if signer is None:
        return ReceiptCheck(
            ReceiptStatus.NOT_CHECKED,
            "no signing key pinned (--signer KEY, or signer in the desk settings file)",
        )
    try:
        signature = minisign.Signature.from_bytes(signature_path.read_bytes())
    except (OSError, minisign.Error):
        return ReceiptCheck(ReceiptStatus.INVALID, f"{signature_path.name} is not a receipt")
    try:
        signer.verify(sealed, signature)
    except minisign.VerifyError as error:
        if "key identifiers" in str(error):
            return ReceiptCheck(
                ReceiptStatus.OTHER_KEY,
                "it was not signed by the bot's key you pinned; treat it as unverified",
            )
        return ReceiptCheck(
            ReceiptStatus.INVALID,
            "the file or its receipt changed after the bot signed it; do not rely on it",
        )
    receipt = parse_trusted_comment(signature.trusted_comment)
    if receipt is None or receipt.sha256 != hashlib.sha256(sealed).hexdigest():
        return ReceiptCheck(
            ReceiptStatus.INVALID, "the receipt was signed for another file; do not rely on it"
        )
    return ReceiptCheck(
        ReceiptStatus.VERIFIED,
        f"signed by the bot for {receipt.reference}, received {receipt.received_on} (UTC)",
        receipt.reference,
        receipt.received_on,
    )


def matching(check: ReceiptCheck, reference: str) -> ReceiptCheck:
    """A verified receipt must name the reference inside the file it signs."""
    if check.verified and check.reference != reference:
        return ReceiptCheck(
            ReceiptStatus.INVALID,
            f"the receipt names {check.reference}, the file says {reference}; do not rely on it",
        )
    return check
