"""Opening sealed files on the staff device: the identity once, then each `.age` in memory."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import minisign
import pyrage

from bot.desk.errors import DeskError, IdentityError
from bot.desk.limits import DEFAULT_LIMITS, Limits, Unpacked, unpack
from bot.desk.receipts import ReceiptCheck, check_receipt, matching
from storage.sealing import (
    AgeKeys,
    BadKey,
    CaseUnopenable,
    needs_passphrase,
    open_case,
    read_identities,
)

_LATER_FILE = re.compile(r"^(?P<reference>.+)-(?P<number>\d+)$")


class Keyring:
    """A staff identity, read (and its passphrase asked) once for any number of files."""

    def __init__(self, identity_path: Path, ask_passphrase: Callable[[], str]) -> None:
        self.path = identity_path
        self._ask = ask_passphrase
        self._identities: list[pyrage.x25519.Identity] | None = None

    def identities(self) -> list[pyrage.x25519.Identity]:
        if self._identities is None:
            try:
                content = self.path.read_bytes()
            except OSError as error:
                raise IdentityError(f"cannot read {self.path}: {error.strerror}") from None
            passphrase = self._ask() if needs_passphrase(content) else None
            try:
                self._identities = read_identities(content, passphrase)
            except BadKey as error:
                raise IdentityError(f"{self.path}: {error}") from None
        return self._identities


@dataclass(frozen=True)
class OpenedFile:
    """One sealed file, opened and checked in memory."""

    source: Path
    content: Unpacked
    receipt: ReceiptCheck

    @property
    def manifest(self) -> dict[str, Any]:
        return self.content.manifest

    @property
    def reference(self) -> str:
        return str(self.manifest.get("reference") or stem(self.source))

    @property
    def is_case(self) -> bool:
        return self.content.manifest_name == "case.json"

    @property
    def number(self) -> int:
        """0 for the case itself, n for `<REF>-n.age`."""
        match = _LATER_FILE.match(stem(self.source))
        return int(match["number"]) if match and not self.is_case else 0


def open_file(
    path: Path,
    keyring: Keyring,
    signer: minisign.PublicKey | None,
    limits: Limits = DEFAULT_LIMITS,
) -> OpenedFile:
    try:
        size = path.stat().st_size
        if size > limits.sealed_bytes:
            raise DeskError(f"{path.name} is larger than any case the bot sends; refusing it")
        sealed = path.read_bytes()
    except OSError as error:
        raise DeskError(f"cannot read {path}: {error.strerror}") from None
    identities = keyring.identities()
    try:
        package = open_case(sealed, identities)
    except CaseUnopenable:
        raise DeskError(
            f"cannot open {path.name}: it is not sealed to this key, or the file is damaged"
        ) from None
    content = unpack(package, limits)
    opened = OpenedFile(path, content, check_receipt(path, sealed, signer))
    return OpenedFile(path, content, matching(opened.receipt, opened.reference))


def stem(path: Path) -> str:
    return path.name.removesuffix(".age") or "case"


def is_later_file(path: Path) -> bool:
    """`<REF>-n.age` (messages, notes, notices), judged by its name before opening."""
    match = _LATER_FILE.match(stem(path))
    return bool(match) and stem(path).count("-") >= 3


def staff_keys() -> AgeKeys:
    """The age keys a coalitions file names, to read one on the desk."""
    return AgeKeys()
