"""`desk export` and `desk stats` over thirty sealed cases with hand-counted figures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from bot.cli import main
from storage.receipts import load_or_create_receipt_key
from storage.sealing import new_identity
from tests.desk_fixture import CLASSIFICATION, Fixture, seal_thirty

S = "<5"


@pytest.fixture(scope="module")
def thirty(tmp_path_factory: pytest.TempPathFactory) -> tuple[Fixture, Path, str]:
    root = tmp_path_factory.mktemp("thirty")
    secret, public = new_identity()
    key = root / "staff-key.txt"
    key.write_text(secret + "\n", encoding="utf-8")
    receipts = load_or_create_receipt_key(root / "server" / "receipt-key.minisign")
    return seal_thirty(root / "inbox", public, receipts), key, receipts.public_key


def annotated_export(fixture: Fixture, key: Path, signer: str, out: Path) -> Path:
    files = sorted(str(p) for p in fixture.folder.glob("*.age"))
    assert main(["desk", "export", "--identity", str(key), "--signer", signer,
                 "--language", "ru", "--out", str(out), *files]) == 0  # fmt: skip
    book = load_workbook(out / "cases.xlsx")
    sheet = book["cases"]
    header = [cell.value for cell in sheet[1]]
    reference, classification = header.index("reference"), header.index("classification")
    by_reference = {v: k for k, v in fixture.references.items()}
    for row in sheet.iter_rows(min_row=2):
        number = by_reference[str(row[reference].value)]
        if number in CLASSIFICATION:
            row[classification].value = CLASSIFICATION[number]
    book.save(out / "cases.xlsx")
    return out / "cases.xlsx"


def test_the_published_counts_match_the_hand_count_and_small_cells_are_suppressed(
    thirty: tuple[Fixture, Path, str], tmp_path: Path
) -> None:
    fixture, key, signer = thirty
    annotations = annotated_export(fixture, key, signer, tmp_path / "export")
    files = sorted(str(p) for p in fixture.folder.glob("*.age"))
    out = tmp_path / "stats"
    assert main(["desk", "stats", "--identity", str(key), "--signer", signer, "--language", "ru",
                 "--annotations", str(annotations), "--out", str(out), *files]) == 0  # fmt: skip
    stats = json.loads((out / "statistics.json").read_text(encoding="utf-8"))
    assert stats["cases"] == 30
    assert stats["by_year"] == {"2024": S, "2025": 26}
    assert stats["by_month"] == {"2024-12": S, "2025-11": 8, "2025-12": 18}
    assert stats["classification"] == {
        "torture": 16, "ill-treatment": 12, "other": S, "not assessed": S,
    }  # fmt: skip
    assert stats["sex"] == {"female": 7, "male": 20, "other": S, "undisclosed": 0, "not_stated": S}
    assert stats["age"] == {"minors": S, "adults": 23, "not_stated": S}
    assert stats["place_of_detention"] == {
        "ivs": 20, "sizo": 10, "colony": S, "police_station": 5, "security_service": 0,
        "psychiatric": 0, "military": 0, "other": S,
    }  # fmt: skip
    authority = {k: v for k, v in stats["authority"].items() if v != 0}
    assert authority == {"police": 25, "security_service": 10, "prison_staff": 5}
    assert stats["region"]["алматы"] == 12
    assert stats["region"]["шымкент"] == 8
    assert stats["region"]["өскемен"] == S
    assert len(stats["region"]) == 10
    assert {k: v for k, v in stats["acts"].items() if v} == {
        "beat_hands": 30, "electric": 10, "asphyxia": 6,
    }  # fmt: skip
    assert stats["urgency"] == {"high": 6, "medium": 0, "low": 24}
    assert stats["urgent_share"] == 0.2
    assert stats["complaint_made"] == {"yes": 10, "no": 15, "dont_know": 5, "not_stated": 0}
    assert {k: v for k, v in stats["complaint_to"].items() if v} == {"prosecutor": 10, "court": S}
    assert {k: v for k, v in stats["complaint_result"].items() if v} == {
        "refused": 5, "no_reply": S, "opened": S, "not_stated": 20,
    }  # fmt: skip
    assert stats["cross_border"] == {"yes": S, "no": 27}
    assert "sex.other" in stats["suppressed"]
    assert "classification.other" in stats["suppressed"]
    assert "sex.male" not in stats["suppressed"]
    assert all(isinstance(v, int) for v in (stats["sex"]["male"], stats["age"]["adults"]))
    assert sorted(p.name for p in out.glob("chart-*.png"))
    for chart in out.glob("chart-*.png"):
        assert chart.read_bytes().startswith(b"\x89PNG")

    reader = PdfReader(out / "statistics.pdf")
    text = "\n".join(page.extract_text() for page in reader.pages)
    for words in [
        "NGO Coalition against Torture in Kazakhstan",  # Latin
        "Полиция",  # Russian Cyrillic, from the bot's catalog
        "Өскемен", "Жаңаөзен", "Қарағанды", "Шаһар Үштөбе, Әулиеата, Шиелі",  # Kazakh
        "Ҷиликӯл, Ҳисорӣ",  # Tajik
        "Qoʻqon",  # Uzbek, with U+02BB
        "Çärjew, Ýolöten", "Aşgabat, Ňyýazow etraby, Žeňli",  # Turkmen
        S,
    ]:  # fmt: skip
        assert words in text, words
    raw = (out / "statistics.pdf").read_bytes()
    assert b"/FontFile2" in raw, "the TrueType font is embedded, not just named"
    assert b"DejaVuSans" in raw


def test_a_period_counts_only_cases_received_in_it(
    thirty: tuple[Fixture, Path, str], tmp_path: Path
) -> None:
    fixture, key, signer = thirty
    files = sorted(str(p) for p in fixture.folder.glob("*.age"))
    out = tmp_path / "stats"
    assert main(["desk", "stats", "--identity", str(key), "--signer", signer, "--from",
                 "2025-01-01", "--to", "2025-11-30", "--min-cell", "3", "--out", str(out),
                 *files]) == 0  # fmt: skip
    stats = json.loads((out / "statistics.json").read_text(encoding="utf-8"))
    assert stats["cases"] == 8, "cases 5 to 12, received in November 2025"
    assert stats["by_year"] == {"2025": 8}
    assert stats["period"] == {"from": "2025-01-01", "to": "2025-11-30"}
    assert stats["sex"]["female"] == 3, "cases 5, 6, 7: at or above --min-cell 3"
    assert stats["classification"] == {
        "torture": 0, "ill-treatment": 0, "other": 0, "not assessed": 8,
    }, "without annotations nothing is assessed"  # fmt: skip
