"""Hostile files through Telegram: names that walk out of the case folder, active content."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import PurePosixPath, PureWindowsPath

from bot.config import Settings
from storage.sealing import open_case, read_identities
from tests.e2e import Complainant, StaffTeam, named, person_id, running_bot
from tests.standin import BotApiStandIn, SimUser
from tests.standin.views import MessageView
from tests.test_e2e_cases import documents
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
        await standin.wait_for(lambda: len(documents(team)) == 1, 20)
        relayed = await relayed_to(standin, team, user)
        for number, name in enumerate(HOSTILE_NAMES, start=1):
            body = f"@echo off\r\nrem evidence {number}\r\n".encode()
            await user.send_document(body, name, "text/plain", reply_to=relayed.message_id)
            await standin.wait_for(lambda n=number: len(documents(team)) == 1 + n, 20)  # type: ignore[misc]
    files = [m for m in documents(team) if m.document_name != f"{REFERENCES[user.user_id]}.age"]
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
