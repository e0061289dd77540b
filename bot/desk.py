"""The staff desk: open a sealed case on a staff member's own device and check its files."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from storage.sealing import BadKey, CaseUnopenable, needs_passphrase, open_case, read_identities


class DeskError(Exception):
    """Opening failed; the message is one line a staff member can act on."""


@dataclass(frozen=True)
class OpenedCase:
    folder: Path
    reference: str
    files_checked: int
    read_first: str = "report.html"


def open_sealed_file(
    sealed_path: Path,
    identity_path: Path,
    out_dir: Path,
    ask_passphrase: Callable[[], str],
) -> OpenedCase:
    try:
        key_content = identity_path.read_bytes()
        sealed = sealed_path.read_bytes()
    except OSError as error:
        raise DeskError(f"cannot read {error.filename}: {error.strerror}") from None
    passphrase = ask_passphrase() if needs_passphrase(key_content) else None
    try:
        identities = read_identities(key_content, passphrase)
    except BadKey as error:
        raise DeskError(f"{identity_path}: {error}") from None
    try:
        package = open_case(sealed, identities)
    except CaseUnopenable:
        raise DeskError(
            f"cannot open {sealed_path.name}: it is not sealed to this key, or the file is damaged"
        ) from None
    return _unpack(package, out_dir / _stem(sealed_path))


def _unpack(package: bytes, folder: Path) -> OpenedCase:
    try:
        archive = zipfile.ZipFile(io.BytesIO(package))
        manifest_name = _manifest_name(archive)
        manifest = json.loads(archive.read(manifest_name))
    except (zipfile.BadZipFile, KeyError, json.JSONDecodeError):
        raise DeskError("the opened file is not a case package; it may be damaged") from None
    checked = 0
    for attachment in manifest.get("attachments", []):
        data = archive.read(attachment["path"])
        if hashlib.sha256(data).hexdigest() != attachment["sha256"]:
            raise DeskError(f"{attachment['path']} does not match its recorded SHA-256")
        checked += 1
    folder.mkdir(parents=True, exist_ok=True)
    for member in archive.namelist():
        target = _safe_target(folder, member)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(archive.read(member))
    read_first = "report.html" if "report.html" in archive.namelist() else manifest_name
    return OpenedCase(folder, str(manifest.get("reference", folder.name)), checked, read_first)


def _manifest_name(archive: zipfile.ZipFile) -> str:
    for name in ("case.json", "message.json", "notice.json"):
        if name in archive.namelist():
            return name
    raise KeyError("no manifest")


def _safe_target(folder: Path, member: str) -> Path:
    relative = PurePosixPath(member)
    if relative.is_absolute() or ".." in relative.parts:
        raise DeskError(f"refusing a file with an unsafe path: {member}")
    return folder.joinpath(*relative.parts)


def _stem(path: Path) -> str:
    return path.name.removesuffix(".age") or "case"
