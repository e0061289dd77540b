"""`desk export` and `desk open` on cases sealed end to end through the Bot API stand-in."""

from __future__ import annotations

import asyncio
import csv
import io
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from PIL import Image

from bot.cli import main
from bot.config import Settings
from bot.desk.batch import open_cases
from bot.desk.context import Desk
from bot.desk.sealed import Keyring
from storage.sealing import protect_identity
from tests.e2e import Answer, Complainant, StaffTeam, running_bot, sealed_files
from tests.standin import BotApiStandIn
from tests.test_e2e_cases import report, submit


def jpeg(colour: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 200), colour).save(buffer, format="JPEG", quality=95)
    return buffer.getvalue()


PHOTO = jpeg((200, 30, 160))
FORMULA = '=HYPERLINK("http://127.0.0.1:9/leak","click")'


def rich_report() -> dict[str, Answer]:
    return {
        "a_safe_now": "yes",
        "a_urgent": "no",
        "b_consent_store": "yes",
        "r_role": "relative",
        "r_relation": "sibling",
        "r_name": "Жанар Сейткали",
        "v_name": "Тимур Сейткалиев",
        "v_sex": "male",
        "v_age": "17",
        "v_citizenship": "KZ",
        "v_residence": "Алматы",
        "v_occupation": FORMULA,
        "v_status_now": "detained_known",
        "e_narrative": "Ночью пришли, забрали брата из дома и избили его в машине",
        "e_detained": "yes",
        "e_date": "03.2026",
        "e_country": "KZ",
        "e_place": "Бостандыкский РОВД, Алматы",
        "e_authority": ["police", "plain_clothes"],
        "f_types": ["ivs", "sizo"],
        "g_ill_treated": "yes",
        "g_acts": ["beat_hands", "electric"],
        "g_perpetrators": "Капитан Нурланов и двое в штатском",
        "h_files": PHOTO,
        "l_complaint_made": "yes",
        "l_complaint_to": ["prosecutor"],
        "l_complaint_result": "refused",
        "b_share_un": "yes_named",
        "b_publish": "anonymised",
        "b_share_lawyer": "yes",
        "k_contact_way": "signal",
        "k_contact_value": "@zhanar_signal",
        "k_code_word": "урюк",
    }


TYPED = {
    "r_name": "Жанар Сейткали",
    "v_name": "Тимур Сейткалиев",
    "v_residence": "Алматы",
    "e_narrative": "Ночью пришли, забрали брата из дома и избили его в машине",
    "e_place": "Бостандыкский РОВД, Алматы",
    "g_perpetrators": "Капитан Нурланов и двое в штатском",
    "k_contact_value": "@zhanar_signal",
    "k_code_word": "урюк",
}


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """The desk does not care which database the bot used: SQLite is enough here."""
    return f"sqlite:///{tmp_path}/complaints.sqlite3"


@pytest.fixture
async def inbox(
    standin: BotApiStandIn, settings: Settings, teams: dict[str, StaffTeam], tmp_path: Path
) -> tuple[Path, dict[str, str], str]:
    """Two Kazakh cases and one Kyrgyz, downloaded by staff with their receipts."""
    folder = tmp_path / "downloads"
    folder.mkdir()
    references = {}
    async with running_bot(settings) as runtime:
        for number, (name, script) in enumerate(
            [
                ("rich", rich_report()),
                ("plain", report("KZ", "Избили")),
                ("kg", report("KG", "Урушту")),
            ]
        ):
            person = Complainant(standin, standin.user(850 + number, "Person"), "ru")
            references[name] = await submit(person, script)
        await standin.wait_for(
            lambda: len(sealed_files(teams["kz"])) == 2 and len(sealed_files(teams["kg"])) == 1, 30
        )
        signer = runtime.receipt_key.public_key
    for team in (teams["kz"], teams["kg"]):
        for message in team.chat.messages:
            if message.document_name and message.document is not None:
                (folder / message.document_name).write_bytes(message.document)
    return folder, references, signer


def key_file(team: StaffTeam, folder: Path) -> Path:
    path = folder / f"{team.coalition_id}-key.txt"
    path.write_text(team.identity + "\n", encoding="utf-8")
    return path


async def test_export_writes_one_row_per_case_with_every_typed_answer_and_skips_other_files(
    inbox: tuple[Path, dict[str, str], str],
    teams: dict[str, StaffTeam],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder, references, signer = inbox
    key = key_file(teams["kz"], tmp_path)
    out = tmp_path / "export"
    files = sorted(str(p) for p in folder.glob("*.age"))
    code = main(["desk", "export", "--identity", str(key), "--signer", signer, "--language", "ru",
                 "--out", str(out), *files])  # fmt: skip
    assert code == 0
    err = capsys.readouterr().err
    assert f"{references['kg']}.age: skipped: cannot open" in err, "another coalition's file"

    book = load_workbook(out / "cases.xlsx")
    sheet = book["cases"]
    header = [str(c.value) for c in sheet[1]]
    rows: list[dict[str, Any]] = [
        dict(zip(header, (c.value for c in row), strict=True)) for row in sheet.iter_rows(min_row=2)
    ]
    assert header[0] == "reference"
    assert sorted(r["reference"] for r in rows) == sorted([references["rich"], references["plain"]])
    rich = next(r for r in rows if r["reference"] == references["rich"])
    for question_id, typed in TYPED.items():
        assert rich[question_id] == typed, question_id
    assert rich["v_age"] == 17
    assert (rich["v_sex"], rich["v_sex__label"]) == ("male", "Мужской")
    assert (rich["e_date"], rich["e_date__precision"]) == ("2026-03", "month")
    assert rich["e_authority"] == "police plain_clothes"
    assert (rich["e_authority.police"], rich["e_authority.plain_clothes"]) == (1, 1)
    assert rich["e_authority.security_service"] == 0
    assert (rich["f_types.ivs"], rich["f_types.sizo"], rich["f_types.colony"]) == (1, 1, 0)
    assert rich["receipt"] == "verified"
    assert rich["urgency"] in ("high", "medium", "low")
    assert rich["cross_border"] == 0
    assert rich["attachments"].startswith("attachments/01-")
    assert len(rich["attachments_sha256"]) == 64
    for staff_column in ("classification", "outcome", "notes"):
        assert staff_column in header
        assert rich[staff_column] is None
    plain = next(r for r in rows if r["reference"] == references["plain"])
    assert plain["g_acts"] is None, "skipped, not 'none of them'"
    assert plain["g_acts.beat_hands"] is None
    occupation = next(
        c for c in sheet[rows.index(rich) + 2] if c.column == header.index("v_occupation") + 1
    )
    assert occupation.value == FORMULA
    assert occupation.data_type == "s", "a complainant's text never becomes a formula"
    labels = {str(row[0].value): str(row[1].value) for row in book["columns"].iter_rows(min_row=2)}
    assert labels["v_sex"] == "Пол"
    assert labels["f_types.ivs"].startswith("Места содержания: ИВС")

    raw = (out / "cases.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 with BOM, so Excel reads Cyrillic"
    table = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [r["reference"] for r in table] == [r["reference"] for r in rows]
    rich_csv = next(r for r in table if r["reference"] == references["rich"])
    assert rich_csv["e_narrative"] == TYPED["e_narrative"]
    assert rich_csv["v_occupation"] == "'" + FORMULA
    assert (out / "cases.xlsx").stat().st_mode & 0o777 == 0o600
    assert out.stat().st_mode & 0o777 == 0o700


async def test_no_case_opening_is_exit_status_one_with_one_clear_line(
    inbox: tuple[Path, dict[str, str], str], teams: dict[str, StaffTeam], tmp_path: Path
) -> None:
    folder, _, _ = inbox
    key = key_file(teams["tm"], tmp_path)
    result = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "bot", "desk", "export", "--identity", str(key),
         "--out", str(tmp_path / "x"), *map(str, folder.glob("*.age"))],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == (
        "complaint-bot: no case could be opened with this identity (3 files tried)"
    )
    assert "Traceback" not in result.stderr


async def test_a_protected_identity_is_asked_for_once(
    inbox: tuple[Path, dict[str, str], str], teams: dict[str, StaffTeam], tmp_path: Path
) -> None:
    folder, _, _ = inbox
    key = tmp_path / "protected.age"
    key.write_bytes(protect_identity(teams["kz"].identity, "correct horse battery"))
    asked: list[int] = []

    def ask() -> str:
        asked.append(1)
        return "correct horse battery"

    desk = Desk(Keyring(key, ask))
    batch = open_cases(folder.glob("*.age"), desk)
    assert len(batch.cases) == 2
    assert len(asked) == 1


async def test_the_case_report_opens_with_its_photo_and_later_files_in_one_folder(
    inbox: tuple[Path, dict[str, str], str], teams: dict[str, StaffTeam], tmp_path: Path
) -> None:
    folder, references, signer = inbox
    key = key_file(teams["kz"], tmp_path)
    out = tmp_path / "cases"
    sealed = folder / f"{references['rich']}.age"
    assert main(["desk", "open", str(sealed), "--identity", str(key), "--signer", signer,
                 "--language", "ru", "--out", str(out)]) == 0  # fmt: skip
    case = out / references["rich"]
    page = (case / "report.html").read_text(encoding="utf-8")
    assert "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'" in page
    assert "Тимур Сейткалиев" in page
    assert "март 2026" in page, "the date as people write it"
    assert '<img src="attachments/01-' in page
    assert "Квитанция (verified)" in page
    for path in [case, *case.rglob("*")]:
        expected = 0o700 if path.is_dir() else 0o600
        assert path.stat().st_mode & 0o777 == expected, path
