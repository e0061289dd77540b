"""Hostile files through Telegram: names that walk out of the case folder, active content."""

from __future__ import annotations

import io
import json
import os
import re
import zipfile
from pathlib import PurePosixPath, PureWindowsPath

from sqlalchemy import func, select

from bot.config import Settings
from storage.schema import DraftFileRow
from storage.sealing import open_case, read_identities
from tests.e2e import Complainant, StaffTeam, named, person_id, running_bot, sealed_files
from tests.standin import BotApiStandIn, SimUser
from tests.standin.views import MessageView
from tests.test_e2e_staff import staff_says, submit

MEMBER = re.compile(
    r"^(?:case\.json|report\.html|message\.json|attachments/\d\d-[A-Za-z0-9_-]+\.[a-z0-9]+)$"
)
HOSTILE_NAMES = [
    "..\\..\\..\\AppData\\Roaming\\Microsoft\\Windows\\Start Menu\\Programs\\Startup\\update.bat",
    "C:\\Users\\Public\\x.txt",
    "../../../../home/staff/.bashrc",
    "/etc/cron.d/evil",
    "CON",
    "report.html",
    "a\x00b\u202eexe.txt",
    "\\\\server\\share\\x.txt",
]


def members(team: StaffTeam, message: MessageView) -> dict[str, bytes]:
    assert message.document is not None
    package = open_case(message.document, read_identities(team.identity.encode()))
    archive = zipfile.ZipFile(io.BytesIO(package))
    return {name: archive.read(name) for name in archive.namelist()}


def stays_inside(name: str) -> bool:
    """The member lands inside a case folder under both Windows and POSIX path rules."""
    for pure in (PureWindowsPath, PurePosixPath):
        path = pure(name)
        if path.is_absolute() or path.drive or path.anchor or ".." in path.parts:
            return False
        if len(path.parts) > 2:
            return False
    return not any(c in name for c in "\\:\x00") and all(c.isprintable() for c in name)


async def relayed_to(standin: BotApiStandIn, team: StaffTeam, user: SimUser) -> MessageView:
    said = "Please send us the medical certificate."
    await staff_says(standin, team, f"/reply {REFERENCES[user.user_id]} {said}")
    return await user.wait_for_bot_message(timeout=20, predicate=lambda m: said in m.content)


REFERENCES: dict[int, str] = {}


async def test_file_names_from_a_complainant_never_leave_the_case_folder(
    standin: BotApiStandIn, settings: Settings, teams: dict[str, StaffTeam]
) -> None:
    team = teams["kz"]
    user = standin.user(person_id(5101), named("Asel"), language_code="en")
    person = Complainant(standin, user, "en")
    async with running_bot(settings):
        REFERENCES[user.user_id] = await submit(person, "KZ", "bot_chat", "apricot")
        await standin.wait_for(lambda: len(sealed_files(team)) == 1, 20)
        relayed = await relayed_to(standin, team, user)
        for number, name in enumerate(HOSTILE_NAMES, start=1):
            body = f"@echo off\r\nrem evidence {number}\r\n".encode()
            await user.send_document(body, name, "text/plain", reply_to=relayed.message_id)
            await standin.wait_for(lambda n=number: len(sealed_files(team)) == 1 + n, 20)  # type: ignore[misc]
    files = [m for m in sealed_files(team) if m.document_name != f"{REFERENCES[user.user_id]}.age"]
    assert len(files) == len(HOSTILE_NAMES)
    for message, name in zip(files, HOSTILE_NAMES, strict=True):
        inside = members(team, message)
        manifest = json.loads(inside["message.json"])
        for member in inside:
            assert MEMBER.match(member), member
            assert stays_inside(member), member
        (attachment,) = manifest["attachments"]
        assert attachment["name"] == name  # kept as a value for staff, never as a path
        assert attachment["path"].endswith(".txt")
        assert attachment["type"] == "text/plain"


def docx(extra: dict[str, str] | None = None, content_types: str = "") -> bytes:
    """A minimal Word document, as Word writes its parts."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Override PartName="/word/document.xml" ContentType="application/'
            "vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
            + content_types
            + '"/></Types>',
        )
        archive.writestr("word/document.xml", "<w:document>Statement of the mother</w:document>")
        for name, body in (extra or {}).items():
            archive.writestr(name, body)
    return buffer.getvalue()


def odt() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr(
            "content.xml", "<office:document-content>Statement</office:document-content>"
        )
    return buffer.getvalue()


PDF_SCAN = b"%PDF-1.4\n1 0 obj<<>>endobj\n" + b"scan of the medical certificate " * 30
VIDEO = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"video of the cell " * 30
DOC_97 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "WordDocument".encode("utf-16-le") + b"\0" * 200
EVIDENCE = [  # (name the phone gives it, MIME type it claims, bytes, stored as)
    ("scan.pdf", "application/pdf", PDF_SCAN, "pdf"),
    ("VID_2026.mp4", "video/mp4", VIDEO, "mp4"),
    ("statement.docx", "application/octet-stream", docx(), "docx"),
    ("statement.odt", "application/vnd.oasis.opendocument.text", odt(), "odt"),
    ("old statement.doc", "application/msword", DOC_97, "doc"),
    ("notes.txt", "text/plain", "Имена свидетелей: …\n".encode(), "txt"),
]
ACTIVE = [
    ("photo.svg", "image/svg+xml", b'<svg xmlns="http://www.w3.org/2000/svg"><script>1</script>'),
    ("statement.html", "text/plain", b"<!doctype html><img src=https://evil.example/t.gif>"),
    ("scan.pdf", "application/pdf", b"MZ\x90\x00\x03\x00\x00\x00 a Windows program"),
    ("report.docm", "application/msword", docx({"word/vbaProject.bin": "macros"})),
]


async def test_evidence_is_taken_by_its_content_and_active_files_are_refused_clearly(
    standin: BotApiStandIn, settings: Settings, teams: dict[str, StaffTeam]
) -> None:
    team = teams["kg"]
    user = standin.user(person_id(5102), named("Gulnara"), language_code="en")
    person = Complainant(standin, user, "en")
    refusals: list[str] = []
    photo = b"\xff\xd8\xff\xe0" + b"bruises " * 40
    voice = b"OggS" + b"\x00" * 20 + b"voice of the witness " * 20

    async def send_files(who: Complainant) -> None:
        await who.user.send_photo(photo)
        await who.settle()
        for name, mime, data, _ in EVIDENCE:
            await who.user.send_document(data, name, mime)
            await who.settle()
        for name, mime, data in ACTIVE:
            await who.user.send_document(data, name, mime)
            refusals.append((await who.settle()).content)
        await who.press("✔️ " + who.t.gettext("Done"))

    async def speak(who: Complainant) -> None:
        await who.user.send_voice(voice, duration=3)

    script = {
        "a_safe_now": "yes",
        "a_urgent": "no",
        "b_consent_store": "yes",
        "r_role": "relative",
        "e_country": "KG",
        "e_narrative": speak,
        "h_files": send_files,
        "k_contact_way": "none",
    }
    async with running_bot(settings):
        await person.command("start")
        await person.walk(script)  # type: ignore[arg-type]
        await person.press("✅ " + person.t.gettext("Send the report"))
        await standin.wait_for(lambda: len(sealed_files(team)) == 1, 20)
    for said in refusals:
        assert "This file was not saved" in said
        assert "PDF" in said
        assert "Word" in said
    (case_file,) = sealed_files(team)
    inside = members(team, case_file)
    case = json.loads(inside["case.json"])
    stored = {a["path"].rsplit(".", 1)[-1]: inside[a["path"]] for a in case["attachments"]}
    expected = {"jpg": photo, "ogg": voice} | {ext: data for *_, data, ext in EVIDENCE}
    assert stored == expected
    assert all(MEMBER.match(name) for name in inside)
    for _, _, data in ACTIVE:
        assert data not in inside.values()


async def test_an_active_file_in_an_answer_to_the_coalition_is_refused_and_said_so(
    standin: BotApiStandIn, settings: Settings, teams: dict[str, StaffTeam]
) -> None:
    team = teams["kz"]
    user = standin.user(person_id(5103), named("Dana"), language_code="en")
    person = Complainant(standin, user, "en")
    async with running_bot(settings):
        REFERENCES[user.user_id] = await submit(person, "KZ", "bot_chat", None)
        await standin.wait_for(lambda: len(sealed_files(team)) == 1, 20)
        relayed = await relayed_to(standin, team, user)
        name, mime, data = ACTIVE[0]
        await user.send_document(data, name, mime, reply_to=relayed.message_id)
        said = await person.settle()
        await user.send_document(
            PDF_SCAN, "certificate.svg", "image/svg+xml", reply_to=relayed.message_id
        )
        await standin.wait_for(lambda: len(sealed_files(team)) == 2, 20)
    assert "This file was not saved" in said.content
    (_, answer) = sealed_files(team)
    inside = members(team, answer)
    assert inside[json.loads(inside["message.json"])["attachments"][0]["path"]] == PDF_SCAN
    assert any(n.endswith("-certificate.pdf") for n in inside)


async def test_a_download_is_cut_off_at_the_limit_whatever_file_size_says(
    standin: BotApiStandIn, settings: Settings
) -> None:
    """A self-hosted Bot API server has no 20 MB cap, and file_size may be absent."""
    user = standin.user(person_id(5104), named("Nurlan"), language_code="en")
    person = Complainant(standin, user, "en")
    huge = b"%PDF-1.4\n" + b"\0" * (20 * 1024 * 1024 + 1)
    async with running_bot(settings) as runtime:
        await person.command("start")
        await user.send_document(huge, "scan.pdf", "application/pdf", size_known=False)
        said = await person.settle()
        with runtime.database.connect() as connection:
            stored = connection.execute(select(func.count()).select_from(DraftFileRow)).scalar()
    assert "larger than 20 MB" in said.content
    assert stored == 0


async def test_skipped_and_replaced_uploads_do_not_pile_up_in_the_draft(
    standin: BotApiStandIn, settings: Settings
) -> None:
    """Photos sent, then Back and forward again: each round used to leave its uploads stored in
    the draft (5 rounds of 10 photos, 50 rows)."""
    user = standin.user(person_id(5105), named("Erlan"), language_code="en")
    person = Complainant(standin, user, "en", quiet=0.02)
    script = {
        "a_safe_now": "yes",
        "a_urgent": "no",
        "b_consent_store": "yes",
        "r_role": "victim",
        "e_country": "KZ",
    }
    stored: list[int] = []
    async with running_bot(settings) as runtime:

        def draft_files() -> int:
            with runtime.database.connect() as connection:
                count = connection.execute(select(func.count()).select_from(DraftFileRow))
                return int(count.scalar_one())

        await person.command("start")
        await person.walk(script, stop_at="h_files")
        for cycle in range(5):
            for number in range(2):
                await user.send_photo(b"\xff\xd8\xff\xe0" + f"photo {cycle} {number}".encode() * 9)
                await person.settle()
            await person.press("◀️ " + person.t.gettext("Back"))  # the uploads are let go
            stored.append(draft_files())
            await person.press(person.t.gettext("Keep") + " ▶️")
        await user.send_photo(b"\xff\xd8\xff\xe0 the one kept" * 9)
        await person.settle()
        await person.press("✔️ " + person.t.gettext("Done"))
        kept = draft_files()
    assert stored == [0] * 5, "uploads let go with Back are deleted at once"
    assert kept == 1


async def test_a_file_that_would_make_the_case_too_large_to_deliver_is_refused_clearly(
    standin: BotApiStandIn, settings: Settings, teams: dict[str, StaffTeam]
) -> None:
    """Telegram takes uploads up to 50 MB; three 18 MiB scans made a case the courier could
    never deliver (413, retried forever). The third is refused with a clear word, the rest kept."""
    team = teams["kg"]
    user = standin.user(person_id(5106), named("Aigerim"), language_code="en")
    person = Complainant(standin, user, "en")
    scans = [b"%PDF-1.4\n" + os.urandom(18 * 1024 * 1024) for _ in range(3)]
    said: list[str] = []

    async def send_files(who: Complainant) -> None:
        for number, data in enumerate(scans, start=1):
            await who.user.send_document(data, f"scan-{number}.pdf", "application/pdf")
            said.append((await who.settle()).content)
        await who.press("✔️ " + who.t.gettext("Done"))

    script = {
        "a_safe_now": "yes",
        "a_urgent": "no",
        "b_consent_store": "yes",
        "r_role": "relative",
        "e_country": "KG",
        "h_files": send_files,
        "k_contact_way": "none",
    }
    async with running_bot(settings):
        await person.command("start")
        await person.walk(script)  # type: ignore[arg-type]
        await person.press("✅ " + person.t.gettext("Send the report"))
        await standin.wait_for(lambda: len(sealed_files(team)) == 1, 60)
    assert not any("not added" in text for text in said[:2])
    assert "This file was not added" in said[2]
    assert "45 MB" in said[2]
    assert "smaller or compressed" in said[2]
    assert [c.status for c in standin.calls if c.method == "sendDocument"].count(413) == 0
    (case_file,) = sealed_files(team)
    inside = members(team, case_file)
    case = json.loads(inside["case.json"])
    assert [inside[a["path"]] for a in case["attachments"]] == scans[:2]


async def test_an_answer_whose_file_is_over_the_limit_is_refused_and_said_so(
    standin: BotApiStandIn, settings: Settings, teams: dict[str, StaffTeam]
) -> None:
    """An answer is sealed and uploaded like a case: its file must fit the same limit (an
    operator may set it below Telegram's 20 MB download cap)."""
    limited = settings.model_copy(update={"case_files_limit_mb": 1})
    team = teams["kz"]
    user = standin.user(person_id(5107), named("Madina"), language_code="en")
    person = Complainant(standin, user, "en")
    scan = b"%PDF-1.4\n" + os.urandom(1024 * 1024)
    async with running_bot(limited):
        REFERENCES[user.user_id] = await submit(person, "KZ", "bot_chat", None)
        await standin.wait_for(lambda: len(sealed_files(team)) == 1, 20)
        relayed = await relayed_to(standin, team, user)
        await user.send_document(scan, "scan.pdf", "application/pdf", reply_to=relayed.message_id)
        said = await person.settle()
        await user.send_document(
            PDF_SCAN, "scan.pdf", "application/pdf", reply_to=relayed.message_id
        )
        await standin.wait_for(lambda: len(sealed_files(team)) == 2, 20)
    assert "This answer was not sent" in said.content
    assert "larger than 1 MB" in said.content
    (_, answer) = sealed_files(team)
    inside = members(team, answer)
    assert inside[json.loads(inside["message.json"])["attachments"][0]["path"]] == PDF_SCAN
