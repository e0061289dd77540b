"""report.html in Debian's headless Chromium: the photo shows, nothing reaches the network."""

from __future__ import annotations

import datetime as dt
import hashlib
import http.server
import io
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from bot.cases.coalitions import route
from bot.cases.followups import Enclosure, followup_package
from bot.cases.package import CaseFacts, build_package
from bot.cli import main
from bot.desk import open_sealed_file
from bot.desk.context import Desk
from bot.intake.answers import AnswerValue, FileRef
from bot.intake.draft import Draft
from bot.intake.urgency import urgency_of
from storage.sealing import new_identity, seal_case
from tests.desk_fixture import directory
from tests.e2e import CATALOGS, FORM
from tests.tools import require_tool

MAGENTA = (200, 30, 160)
SVG = "http://www.w3.org/2000/svg"


class Hits(http.server.BaseHTTPRequestHandler):
    seen: list[str] = []  # noqa: RUF012 - one server per test, reset below

    def do_GET(self) -> None:
        Hits.seen.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def listener() -> Iterator[str]:
    """A server on the loopback that records every request a page makes."""
    Hits.seen = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hits)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (360, 240), MAGENTA).save(buffer, format="JPEG", quality=95)
    return buffer.getvalue()


def hostile_case(folder: Path, public: str, remote: str) -> Path:
    files = {
        "p1": photo(),
        "p2": f'<html><img src="{remote}/from-html-attachment"><script>1</script></html>'.encode(),
        "p3": f'<svg xmlns="{SVG}"><image href="{remote}/from-svg"/></svg>'.encode(),
    }
    names = {"p1": ("injuries.jpg", "image/jpeg"), "p2": ("page.html", "text/plain"),
             "p3": ("drawing.svg", "image/svg+xml")}  # fmt: skip
    answers: dict[str, AnswerValue] = {
        "a_safe_now": "yes",
        "a_urgent": "yes",
        "b_consent_store": "yes",
        "r_role": "relative",
        "v_name": {"text": f'Тимур "><img src="{remote}/from-answer">'},
        "v_sex": "male",
        "v_age": 24,
        "e_country": "KZ",
        "e_date": "2026-03-12",
        "e_place": {"text": "ИВС Алматы"},
        "e_detained": "yes",
        "f_types": ["ivs"],
        "u_risks": ["ongoing", "no_lawyer"],
        "e_narrative": {"text": "Его избили при задержании.\nДержат без адвоката."},
        "h_files": [
            FileRef(
                ref=ref,
                name=names[ref][0],
                mime=names[ref][1],
                size=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
            )
            for ref, data in files.items()
        ],
        "b_share_un": "ask_first",
        "b_publish": "anonymised",
        "k_contact_way": "signal",
        "k_contact_value": {"text": "+7 700 000 00 00"},
        "k_code_word": {"text": "урюк"},
    }
    draft = Draft(FORM.id, FORM.version, "ru", answers=answers, expanded=True)
    facts = CaseFacts(
        "KZ-7G4M-Q2XD", route(directory(public), answers), urgency_of(FORM, answers),
        dt.date(2026, 12, 1),
    )  # fmt: skip
    package = build_package(FORM, draft, facts, files, CATALOGS.translator("ru"))
    sealed = folder / "KZ-7G4M-Q2XD.age"
    sealed.write_bytes(seal_case(package, [public]))
    return sealed


def screenshot(chromium: str, page: Path, shot: Path, profile: Path) -> None:
    subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-first-run", f"--user-data-dir={profile}", "--virtual-time-budget=4000",
         "--window-size=1100,2400", f"--screenshot={shot}", page.as_uri()],
        capture_output=True, check=True, timeout=120,
    )  # fmt: skip


def test_the_report_shows_the_photo_and_loads_nothing_from_the_network(
    tmp_path: Path, listener: str
) -> None:
    chromium = require_tool("chromium")
    secret, public = new_identity()
    key = tmp_path / "key.txt"
    key.write_text(secret + "\n", encoding="utf-8")
    sealed = hostile_case(tmp_path, public, listener)
    desk = Desk.build(key, lambda: "", language="ru")
    opened = open_sealed_file(sealed, key, tmp_path / "cases", lambda: "", desk=desk)
    report = opened.folder / "report.html"
    page = report.read_text(encoding="utf-8")
    assert "Сохранено, открывайте без сети" in page, "active files are listed, not shown"
    assert 'href="' not in page, "no attachment is linked"
    assert page.count("<img ") == 1, "only the real photo is shown inline"

    # The desk's own template also holds up if something slipped in: the CSP blocks it.
    injected = page.replace(
        "</body>",
        f'<img src="{listener}/img"><link rel="stylesheet" href="{listener}/css">'
        f'<script src="{listener}/js"></script><iframe src="{listener}/frame"></iframe></body>',
    )
    report.write_text(injected, encoding="utf-8")
    shot = tmp_path / "report.png"
    screenshot(chromium, report, shot, tmp_path / "profile")
    assert Hits.seen == [], f"the report reached the network: {Hits.seen}"
    image = Image.open(shot).convert("RGB")
    near = 0
    for count, colour in image.getcolors(maxcolors=1 << 22) or []:
        assert isinstance(colour, tuple)
        if all(abs(a - b) <= 12 for a, b in zip(colour, MAGENTA, strict=True)):
            near += count
    assert near > 20_000, "the same-folder photo is shown under the CSP"
    keep = os.environ.get("DESK_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(keep) / "report.png")

    # The check is real: the same page without its policy does reach the listener.
    control = opened.folder / "control.html"
    control.write_text(injected.replace("Content-Security-Policy", "X-Nothing"), encoding="utf-8")
    screenshot(chromium, control, tmp_path / "control.png", tmp_path / "profile2")
    assert "/img" in Hits.seen


def test_later_files_open_into_the_case_folder_and_appear_on_its_page(tmp_path: Path) -> None:
    secret, public = new_identity()
    key = tmp_path / "key.txt"
    key.write_text(secret + "\n", encoding="utf-8")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    sealed = hostile_case(inbox, public, "http://127.0.0.1:9")
    picture = photo()
    answer = followup_package(
        {"schema": "complaint-bot/message/v1", "reference": "KZ-7G4M-Q2XD",
         "kind": "complainant_message", "received_on": "2026-12-02",
         "text": "Его перевели в СИЗО-1"},
        Enclosure("photo-77.jpg", "image/jpeg", picture),
    )  # fmt: skip
    note = followup_package(
        {"schema": "complaint-bot/note/v1", "reference": "KZ-7G4M-Q2XD",
         "kind": "internal_note", "written_at": "2026-12-03T10:00:00+00:00",
         "text": "Адвокат назначен"}
    )  # fmt: skip
    (inbox / "KZ-7G4M-Q2XD-1.age").write_bytes(seal_case(answer, [public]))
    (inbox / "KZ-7G4M-Q2XD-2.age").write_bytes(seal_case(note, [public]))
    out = tmp_path / "cases"
    later_first = [str(inbox / "KZ-7G4M-Q2XD-2.age"), str(inbox / "KZ-7G4M-Q2XD-1.age")]
    assert main(["desk", "open", *later_first, str(sealed), "--identity", str(key),
                 "--language", "ru", "--out", str(out)]) == 0  # fmt: skip
    case = out / "KZ-7G4M-Q2XD"
    assert (case / "KZ-7G4M-Q2XD-1" / "attachments" / "photo-77.jpg").read_bytes() == picture
    page = (case / "report.html").read_text(encoding="utf-8")
    assert "Его перевели в СИЗО-1" in page
    assert "Адвокат назначен" in page
    assert '<img src="KZ-7G4M-Q2XD-1/attachments/photo-77.jpg"' in page
    assert page.index("#1 ") < page.index("#2 ")
