"""`desk open`: a sealed file into a private folder, with the desk's own report.html.

A case `<REF>.age` opens into `<out>/<REF>/` (case.json, attachments/, report.html); a later file
`<REF>-n.age` into `<out>/<REF>/<REF>-n/`, and the case's report then shows it too.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.desk.context import Desk
from bot.desk.errors import DeskError
from bot.desk.folders import private_folder, write_private
from bot.desk.limits import check_member_name, safe_target
from bot.desk.report import LaterFile, image_type, render_report
from bot.desk.sealed import OpenedFile, open_file, stem
from bot.desk.settings import DeskSettings

CASE_MANIFEST = "case.json"
RECEIPT_FILE = "receipt.json"


@dataclass(frozen=True)
class OpenedCase:
    folder: Path
    reference: str
    files_checked: int
    read_first: str = "report.html"
    receipt: str = ""
    receipt_verified: bool = False


def open_sealed_file(
    sealed_path: Path,
    identity_path: Path,
    out_dir: Path,
    ask_passphrase: Callable[[], str],
    *,
    desk: Desk | None = None,
) -> OpenedCase:
    desk = desk or Desk.build(identity_path, ask_passphrase, DeskSettings())
    opened = open_file(sealed_path, desk.keyring, desk.signer, desk.limits)
    return write_opened(opened, out_dir, desk)


def write_opened(opened: OpenedFile, out_dir: Path, desk: Desk) -> OpenedCase:
    private_folder(out_dir)
    name = _folder_name(stem(opened.source))
    if opened.is_case:
        folder = private_folder(out_dir / name)
        case_folder = folder
    else:
        case_name = _folder_name(name.rsplit("-", 1)[0]) if opened.number else name
        case_folder = private_folder(out_dir / case_name)
        folder = private_folder(case_folder / name)
    manifest_text = json.dumps(opened.manifest, ensure_ascii=False, indent=2).encode()
    write_private(safe_target(folder, opened.content.manifest_name), manifest_text)
    for path, data in opened.content.attachments.items():
        write_private(safe_target(folder, path), data)
    for name, note in opened.content.notes.items():
        write_private(safe_target(folder, name), json.dumps(note, ensure_ascii=False).encode())
    receipt = {"status": opened.receipt.status.value, "detail": opened.receipt.detail}
    write_private(folder / RECEIPT_FILE, json.dumps(receipt, ensure_ascii=False).encode())
    line = opened.receipt.line(opened.source.name)
    checked = len(opened.content.attachments)
    if (case_folder / CASE_MANIFEST).is_file():
        render_case_folder(case_folder, desk)
        if opened.is_case:
            return OpenedCase(
                folder, opened.reference, checked, "report.html", line, opened.receipt.verified
            )
    return OpenedCase(
        folder,
        opened.reference,
        checked,
        opened.content.manifest_name,
        line,
        opened.receipt.verified,
    )


def render_case_folder(folder: Path, desk: Desk) -> Path:
    """(Re)write `folder/report.html` from the case.json and later files the desk wrote there."""
    case = _read_json(folder / CASE_MANIFEST)
    later = []
    for child in sorted(p for p in folder.iterdir() if p.is_dir() and not p.is_symlink()):
        manifest_path = next(
            (child / n for n in ("message.json", "notice.json") if (child / n).is_file()), None
        )
        number = child.name.rsplit("-", 1)[-1]
        if manifest_path is None or not number.isdigit():
            continue
        manifest = _read_json(manifest_path)
        later.append(LaterFile(int(number), child.name, manifest, _images(child, manifest)))
    receipt = _read_json(folder / RECEIPT_FILE) if (folder / RECEIPT_FILE).is_file() else {}
    referral = _read_json(folder / "referral.json") if (folder / "referral.json").is_file() else {}
    words = desk.words((case.get("coalition") or {}).get("id"))
    receipt_line = None
    if receipt:
        receipt_line = words(
            "Receipt {status}: {detail}",
            status=receipt.get("status", ""),
            detail=receipt.get("detail", ""),
        )
    if referral:
        note = words(
            "Referred by {who} on {day}: {why}",
            who=referral.get("referred_by") or "—",
            day=referral.get("referred_on", ""),
            why=referral.get("reason") or "—",
        )
        receipt_line = f"{note} {receipt_line or ''}".strip()
    page = render_report(case, desk.form, words, _images(folder, case), later, receipt_line)
    return write_private(folder / "report.html", page.encode())


def _images(folder: Path, manifest: dict[str, Any]) -> frozenset[str]:
    found = set()
    for entry in manifest.get("attachments", []):
        path = str(entry.get("path", ""))
        try:
            target = safe_target(folder, path)
            with target.open("rb") as handle:
                head = handle.read(16)
        except (DeskError, OSError):
            continue
        if image_type(head):
            found.add(path)
    return frozenset(found)


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise DeskError(f"cannot read {path}; open the case again") from None
    if not isinstance(data, dict):
        raise DeskError(f"cannot read {path}; open the case again")
    return data


def _folder_name(name: str) -> str:
    try:
        check_member_name(f"attachments/{name}")
    except DeskError:
        return "case"
    return name
