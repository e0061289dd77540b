"""What the desk accepts from a package before it writes anything to the staff device.

A case package comes from the server, but its content comes from a complainant, and a forged
package can come from anyone who holds the coalition's public key. So the desk trusts no name and
no size in it: only member names of a fixed shape (checked under POSIX *and* Windows path rules),
only members the manifest names, each member and the whole capped, and no member that unpacks to
far more than it takes in the archive (a 300 KiB file must not become 300 MiB on the laptop).
"""

from __future__ import annotations

import hashlib
import io
import json
import ntpath
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath

from bot.desk.errors import DeskError

MIB = 1024 * 1024
MANIFESTS = ("case.json", "message.json", "notice.json")
NOTES = ("referral.json",)  # written by `desk refer` beside the case it re-seals
IGNORED = frozenset({"report.html"})  # the desk renders its own; a package's HTML is never kept
_LEAF = re.compile(r"^[\w][\w .()+-]{0,119}$")
_WINDOWS_DEVICES = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
    | {f"COM{n}" for n in range(10)}
    | {f"LPT{n}" for n in range(10)}
)


@dataclass(frozen=True)
class Limits:
    member_bytes: int = 64 * MIB  # Telegram lets the bot fetch 20 MB per file
    total_bytes: int = 512 * MIB  # ten such files and a voice message, with room to spare
    manifest_bytes: int = 4 * MIB
    members: int = 64
    ratio: float = 50.0  # uncompressed / compressed, for members above `ratio_floor`
    ratio_floor: int = 1 * MIB
    sealed_bytes: int = 600 * MIB


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True)
class Unpacked:
    """A package's content, checked: its manifest and the attachments it names."""

    manifest_name: str
    manifest: dict[str, object]
    attachments: dict[str, bytes]
    notes: dict[str, dict[str, object]] = field(default_factory=dict)


def check_member_name(name: str) -> None:
    """Refuse any member name that could land outside the case folder on POSIX or Windows."""
    if any(unicodedata.category(c) in ("Cc", "Cf") for c in name):
        raise DeskError(f"refusing a file with a control character in its name: {name!r}")
    if "\\" in name:
        raise DeskError(f"refusing a file with a backslash in its name: {name!r}")
    if ":" in name:
        raise DeskError(f"refusing a file with a colon (a drive or stream) in its name: {name!r}")
    posix, windows = PurePosixPath(name), PureWindowsPath(name)
    parts = name.split("/")
    if posix.is_absolute() or windows.anchor or any(p in ("", ".", "..") for p in parts):
        raise DeskError(f"refusing a file with an unsafe path: {name!r}")
    if name in MANIFESTS or name in NOTES or name in IGNORED:
        return
    if len(parts) != 2 or parts[0] != "attachments" or not _safe_leaf(parts[1]):
        raise DeskError(f"refusing a file with an unexpected name: {name!r}")


def _safe_leaf(leaf: str) -> bool:
    if not _LEAF.match(leaf) or leaf.endswith((".", " ")):
        return False
    return leaf.split(".")[0].upper().rstrip() not in _WINDOWS_DEVICES


def safe_target(folder: Path, member: str) -> Path:
    """Where a checked member goes; refuses anything that resolves outside `folder`."""
    check_member_name(member)
    target = folder.joinpath(*member.split("/"))
    root = folder.resolve()
    if not target.resolve().is_relative_to(root):
        raise DeskError(
            f"refusing a file that would be written outside the case folder: {member!r}"
        )
    windows_root = ntpath.normpath("C:\\cases\\case")
    windows_target = ntpath.normpath(ntpath.join(windows_root, *member.split("/")))
    if not windows_target.startswith(windows_root + "\\"):
        raise DeskError(f"refusing a file that would leave the case folder on Windows: {member!r}")
    return target


def unpack(package: bytes, limits: Limits | None = None) -> Unpacked:
    """Read and check a package in memory; nothing is written."""
    limits = limits or DEFAULT_LIMITS
    try:
        archive = zipfile.ZipFile(io.BytesIO(package))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError):
        raise DeskError("the opened file is not a case package; it may be damaged") from None
    if len(infos) > limits.members:
        raise DeskError(
            f"the package holds {len(infos)} files; at most {limits.members} are accepted"
        )
    names = [info.filename for info in infos]
    if len(set(names)) != len(names):
        raise DeskError("the package names the same file twice; refusing it")
    for info in infos:
        check_member_name(info.filename)
        _check_size(info, limits)
    if sum(info.file_size for info in infos) > limits.total_bytes:
        raise DeskError(
            f"the package unpacks to more than {limits.total_bytes // MIB} MiB; refusing it"
        )
    manifests = [name for name in names if name in MANIFESTS]
    if len(manifests) != 1:
        raise DeskError("the opened file is not a case package; it may be damaged")
    manifest_name = manifests[0]
    manifest = _manifest(archive, manifest_name, limits)
    named = _named_attachments(manifest)
    known = {manifest_name, *IGNORED, *NOTES}
    unknown = [n for n in names if n not in named and n not in known]
    if unknown:
        raise DeskError(f"the package holds a file its manifest does not name: {unknown[0]!r}")
    attachments: dict[str, bytes] = {}
    for path, (size, digest) in named.items():
        if path not in names:
            raise DeskError(f"{path} is named in the manifest but missing from the package")
        data = _read(archive, path, limits.member_bytes)
        if size is not None and len(data) != size:
            raise DeskError(f"{path} does not have the size its manifest records")
        if _sha256(data) != digest:
            raise DeskError(f"{path} does not match its recorded SHA-256")
        attachments[path] = data
    notes = {name: _manifest(archive, name, limits) for name in NOTES if name in names}
    return Unpacked(manifest_name, manifest, attachments, notes)


def _check_size(info: zipfile.ZipInfo, limits: Limits) -> None:
    if info.file_size > limits.member_bytes:
        raise DeskError(
            f"{info.filename} unpacks to more than {limits.member_bytes // MIB} MiB; refusing it"
        )
    if info.file_size > limits.ratio_floor and info.file_size > limits.ratio * max(
        info.compress_size, 1
    ):
        raise DeskError(
            f"{info.filename} unpacks to more than {limits.ratio:.0f} times its packed size "
            "(a compression bomb?); refusing it"
        )


def _manifest(archive: zipfile.ZipFile, name: str, limits: Limits) -> dict[str, object]:
    try:
        manifest = json.loads(_read(archive, name, limits.manifest_bytes))
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise DeskError("the opened file is not a case package; it may be damaged") from None
    if not isinstance(manifest, dict):
        raise DeskError("the opened file is not a case package; it may be damaged")
    return manifest


def _named_attachments(manifest: dict[str, object]) -> dict[str, tuple[int | None, str]]:
    named: dict[str, tuple[int | None, str]] = {}
    entries = manifest.get("attachments", [])
    if not isinstance(entries, list):
        raise DeskError("the package's manifest is malformed (attachments)")
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("path"), str):
            raise DeskError("the package's manifest is malformed (attachments)")
        path = entry["path"]
        check_member_name(path)
        if not path.startswith("attachments/"):
            raise DeskError(f"refusing an attachment outside attachments/: {path!r}")
        size = entry.get("size")
        digest = entry.get("sha256")
        if not isinstance(digest, str):
            raise DeskError(f"{path} has no recorded SHA-256; refusing it")
        named[path] = (size if isinstance(size, int) else None, digest)
    return named


def _read(archive: zipfile.ZipFile, name: str, cap: int) -> bytes:
    """A member's bytes, never more than `cap` whatever its header claims."""
    try:
        with archive.open(name) as handle:
            data = handle.read(cap + 1)
    except (zipfile.BadZipFile, OSError, RuntimeError, EOFError):
        raise DeskError(f"{name} in the package is damaged") from None
    if len(data) > cap:
        raise DeskError(f"{name} unpacks to more than {cap // MIB} MiB; refusing it")
    return data


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
