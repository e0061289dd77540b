"""Desk safety: what a hostile package cannot do to the staff member's computer."""

from __future__ import annotations

import hashlib
import io
import json
import ntpath
import zipfile
from pathlib import Path, PureWindowsPath

import pytest

from bot.cases.followups import Enclosure, followup_package
from bot.desk import DeskError, open_sealed_file
from bot.desk.context import Desk
from bot.desk.limits import Limits, check_member_name, safe_target
from storage.sealing import new_identity, seal_case

HOSTILE_NAMES = [
    "..\\..\\..\\AppData\\Roaming\\Microsoft\\Windows\\Start Menu\\Programs\\Startup\\update.bat",
    "attachments/..\\..\\AppData\\Roaming\\Microsoft\\Windows\\Start Menu\\update.bat",
    "C:\\Users\\Public\\x.txt",
    "attachments/C:x.txt",
    "attachments/report.txt:hidden",  # an NTFS alternate data stream
    "\\\\server\\share\\x.txt",
    "//server/share/x.txt",
    "/etc/cron.d/x",
    "../x",
    "attachments/../../x",
    "attachments/./x",
    "attachments//x",
    "attachments/a\x00.jpg",
    "attachments/a\nb.jpg",
    "attachments/\u202egpj.exe",  # right-to-left override: shows as exe.jpg
    "attachments/CON",
    "attachments/nul.txt",
    "attachments/COM1.jpg",
    "attachments/trailing.",
    "attachments/trailing ",
    "attachments/.hidden",
    "attachments/deeper/x.jpg",
    "report.exe",
    "attachments/x?.jpg",
    "attachments/x*.jpg",
    'attachments/x".jpg',
    "attachments/<x>.jpg",
    "attachments/x|y.jpg",
]
FINE_NAMES = [
    "case.json",
    "message.json",
    "attachments/01-photo.jpg",
    "attachments/voice-1234.ogg",
    "attachments/Справка из больницы (1).pdf",
    "attachments/Qoʻqon_shifoxona.pdf",
]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_a_hostile_member_name_is_refused(name: str, tmp_path: Path) -> None:
    with pytest.raises(DeskError):
        check_member_name(name)
    with pytest.raises(DeskError):
        safe_target(tmp_path, name)


@pytest.mark.parametrize("name", FINE_NAMES)
def test_an_accepted_name_stays_in_the_case_folder_under_windows_rules_too(
    name: str, tmp_path: Path
) -> None:
    target = safe_target(tmp_path / "case", name)
    assert target.resolve().is_relative_to((tmp_path / "case").resolve())
    root = PureWindowsPath("C:/Users/staff/cases/KZ-7G4M-Q2XD")
    windows = PureWindowsPath(ntpath.normpath(str(root / name)))
    assert windows.is_relative_to(root)
    assert windows.drive == root.drive
    assert ".." not in windows.parts


def sealed_zip(folder: Path, name: str, members: dict[str, bytes], public: str,
               manifest: dict[str, object] | None = None,
               method: int = zipfile.ZIP_STORED) -> Path:  # fmt: skip
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        if manifest is not None:
            archive.writestr("case.json", json.dumps(manifest), zipfile.ZIP_DEFLATED)
        for member, data in members.items():
            archive.writestr(member, data, method)
    path = folder / name
    path.write_bytes(seal_case(buffer.getvalue(), [public]))
    return path


def case_manifest(attachments: dict[str, bytes]) -> dict[str, object]:
    return {
        "schema": "complaint-bot/case/v1",
        "reference": "KZ-AAAA-BBBB",
        "language": "ru",
        "received_on": "2026-12-01",
        "coalition": {"id": "kz", "name": "KZ"},
        "routing": {"country_of_events": "KZ", "cross_border": False},
        "urgency": {"level": "low", "score": 0},
        "answers": [],
        "attachments": [
            {"path": p, "name": p, "type": "application/octet-stream", "size": len(d),
             "sha256": hashlib.sha256(d).hexdigest()}
            for p, d in attachments.items()
        ],
    }  # fmt: skip


@pytest.fixture
def staff(tmp_path: Path) -> tuple[Path, str]:
    secret, public = new_identity()
    key = tmp_path / "key.txt"
    key.write_text(secret + "\n", encoding="utf-8")
    return key, public


def files_under(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if p.is_file()}


def test_the_path_traversal_of_a_follow_up_answer_writes_nothing_outside(
    tmp_path: Path, staff: tuple[Path, str]
) -> None:
    """Issue 10, point 1: the sender chooses a follow-up file's name; the desk refuses it."""
    key, public = staff
    evil = "..\\..\\..\\AppData\\Roaming\\Microsoft\\Windows\\Start Menu\\Programs\\Startup\\u.bat"
    package = followup_package(
        {"schema": "complaint-bot/message/v1", "reference": "KZ-AAAA-BBBB", "text": "hi"},
        Enclosure(evil, "text/plain", b"@echo off\r\ncalc.exe\r\n"),
    )
    sealed = tmp_path / "inbox" / "KZ-AAAA-BBBB-1.age"
    sealed.parent.mkdir()
    sealed.write_bytes(seal_case(package, [public]))
    before = files_under(tmp_path)
    with pytest.raises(DeskError, match="backslash"):
        open_sealed_file(sealed, key, tmp_path / "cases", lambda: "")
    assert files_under(tmp_path) == before


def test_members_the_manifest_does_not_name_are_refused(
    tmp_path: Path, staff: tuple[Path, str]
) -> None:
    key, public = staff
    photo = b"\xff\xd8\xff\xe0photo"
    members = {"attachments/01-photo.jpg": photo, "attachments/extra.exe": b"MZ"}
    sealed = sealed_zip(tmp_path, "KZ-AAAA-BBBB.age", members, public,
                        case_manifest({"attachments/01-photo.jpg": photo}))  # fmt: skip
    with pytest.raises(DeskError, match="does not name"):
        open_sealed_file(sealed, key, tmp_path / "cases", lambda: "")
    assert not (tmp_path / "cases" / "KZ-AAAA-BBBB").exists()


def test_a_compression_bomb_is_refused_before_it_is_unpacked(
    tmp_path: Path, staff: tuple[Path, str]
) -> None:
    key, public = staff
    zeros = bytes(300 * 1024 * 1024)  # 300 MiB that deflate to about 300 KiB
    members = {"attachments/01-x.jpg": zeros}
    manifest = case_manifest(members)
    sealed = sealed_zip(
        tmp_path, "KZ-AAAA-BBBB.age", members, public, manifest, zipfile.ZIP_DEFLATED
    )
    del zeros, members
    assert sealed.stat().st_size < 2 * 1024 * 1024
    with pytest.raises(DeskError, match="unpacks to more than"):
        open_sealed_file(sealed, key, tmp_path / "cases", lambda: "")
    assert not (tmp_path / "cases" / "KZ-AAAA-BBBB").exists()


@pytest.mark.parametrize(
    ("limits", "problem"),
    [
        (Limits(member_bytes=1000), "unpacks to more than"),
        (Limits(total_bytes=1500), "unpacks to more than"),
        (Limits(members=2), "at most 2"),
    ],
)
def test_each_member_the_total_and_the_count_are_capped(
    tmp_path: Path, staff: tuple[Path, str], limits: Limits, problem: str
) -> None:
    key, public = staff
    files = {f"attachments/0{n}-doc.pdf": bytes([n]) * 1200 for n in (1, 2)}
    sealed = sealed_zip(tmp_path, "KZ-AAAA-BBBB.age", files, public, case_manifest(files))
    desk = Desk.build(key, lambda: "", limits=limits)
    with pytest.raises(DeskError, match=problem):
        open_sealed_file(sealed, key, tmp_path / "cases", lambda: "", desk=desk)
    opened = open_sealed_file(sealed, key, tmp_path / "ok", lambda: "")
    assert opened.files_checked == 2, "the same package opens under the default limits"


def test_a_changed_attachment_is_refused(tmp_path: Path, staff: tuple[Path, str]) -> None:
    key, public = staff
    manifest = case_manifest({"attachments/01-photo.jpg": b"original"})
    sealed = sealed_zip(tmp_path, "KZ-AAAA-BBBB.age", {"attachments/01-photo.jpg": b"changed!"},
                        public, manifest)  # fmt: skip
    with pytest.raises(DeskError, match="SHA-256"):
        open_sealed_file(sealed, key, tmp_path / "cases", lambda: "")


def test_the_package_report_is_replaced_and_the_folder_is_private(
    tmp_path: Path, staff: tuple[Path, str]
) -> None:
    key, public = staff
    photo = b"\xff\xd8\xff\xe0photo"
    evil = b'<script>fetch("http://127.0.0.1:9/leak")</script>'
    sealed = sealed_zip(tmp_path, "KZ-AAAA-BBBB.age",
                        {"report.html": evil, "attachments/01-photo.jpg": photo}, public,
                        case_manifest({"attachments/01-photo.jpg": photo}))  # fmt: skip
    opened = open_sealed_file(sealed, key, tmp_path / "cases", lambda: "")
    page = (opened.folder / "report.html").read_bytes()
    assert b"<script" not in page
    assert b"Content-Security-Policy" in page
    for path in [tmp_path / "cases", opened.folder, *opened.folder.rglob("*")]:
        assert path.stat().st_mode & 0o777 == (0o700 if path.is_dir() else 0o600), path


def test_a_link_planted_in_the_case_folder_is_not_followed(
    tmp_path: Path, staff: tuple[Path, str]
) -> None:
    key, public = staff
    sealed = sealed_zip(tmp_path, "KZ-AAAA-BBBB.age", {}, public, case_manifest({}))
    folder = tmp_path / "cases" / "KZ-AAAA-BBBB"
    folder.mkdir(parents=True)
    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_text("keep me")
    (folder / "case.json").symlink_to(elsewhere)
    with pytest.raises(DeskError, match=r"symbolic link|outside the case folder"):
        open_sealed_file(sealed, key, tmp_path / "cases", lambda: "")
    assert elsewhere.read_text() == "keep me"
