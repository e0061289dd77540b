"""`desk refer`: a case re-sealed on the staff device to a lawyer, with a fresh receipt."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
from pathlib import Path

import pytest

from bot.cli import main
from storage.receipts import load_or_create_receipt_key
from storage.sealing import new_identity, protect_identity
from tests.desk_fixture import Fixture, seal_thirty
from tests.tools import require_tool


@pytest.fixture
def cases(tmp_path: Path) -> tuple[Fixture, Path, str]:
    secret, public = new_identity()
    key = tmp_path / "staff-key.txt"
    key.write_text(secret + "\n", encoding="utf-8")
    receipts = load_or_create_receipt_key(tmp_path / "server" / "receipt-key.minisign")
    return seal_thirty(tmp_path / "inbox", public, receipts), key, receipts.public_key


def test_a_referred_case_opens_for_the_lawyer_only_with_its_referral_and_receipt(
    cases: tuple[Fixture, Path, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fixture, key, signer = cases
    lawyer_secret, lawyer_public = new_identity()
    lawyer_key = tmp_path / "lawyer-key.txt"
    lawyer_key.write_text(lawyer_secret + "\n", encoding="utf-8")
    sealed = fixture.folder / f"{fixture.references[1]}.age"
    out = tmp_path / "referrals"
    signing = tmp_path / "desk-signing.key"
    assert main(["desk", "refer", str(sealed), "--identity", str(key), "--signer", signer,
                 "--to", lawyer_public, "--by", "Aigerim, KZ coalition", "--reason",
                 "needs a lawyer in Almaty", "--signing-key", str(signing), "--out",
                 str(out)]) == 0  # fmt: skip
    printed = capsys.readouterr().out
    referral = out / f"{fixture.references[1]}.referral.age"
    assert str(referral) in printed
    receipt = json.loads((out / f"{referral.name}.receipt.json").read_text(encoding="utf-8"))
    assert receipt["sha256"] == hashlib.sha256(referral.read_bytes()).hexdigest()
    assert signing.stat().st_mode & 0o777 == 0o600

    minisign = require_tool("minisign")
    checked = subprocess.run(
        [minisign, "-Vm", str(referral), "-p", str(signing.with_suffix(".pub"))],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stderr

    draft = (out / f"{fixture.references[1]}.un-draft.txt").read_text(encoding="utf-8")
    assert "Special Rapporteur on Torture" in draft
    assert "Working Group on Arbitrary Detention" in draft, "the person was detained"
    assert "Рассказ номер 1" in draft

    opened = tmp_path / "lawyer"
    assert main(["desk", "open", str(referral), "--identity", str(lawyer_key), "--out",
                 str(opened)]) == 0  # fmt: skip
    folder = opened / f"{fixture.references[1]}.referral"
    note = json.loads((folder / "referral.json").read_text(encoding="utf-8"))
    assert note["referred_by"] == "Aigerim, KZ coalition"
    assert note["original_receipt"]["status"] == "verified"
    assert "needs a lawyer in Almaty" in (folder / "report.html").read_text(encoding="utf-8")
    assert main(["desk", "open", str(referral), "--identity", str(key), "--out",
                 str(tmp_path / "staff")]) == 1, "sealed to the lawyer only"  # fmt: skip


def test_no_un_draft_without_the_complainants_consent(
    cases: tuple[Fixture, Path, str], tmp_path: Path
) -> None:
    fixture, key, _ = cases
    _, other = new_identity()
    sealed = fixture.folder / f"{fixture.references[2]}.age"
    out = tmp_path / "referrals"
    assert main(["desk", "refer", str(sealed), "--identity", str(key), "--to", other,
                 "--out", str(out)]) == 0  # fmt: skip
    assert (out / f"{fixture.references[2]}.referral.age").is_file()
    assert not list(out.glob("*.un-draft.txt"))


def test_a_wrong_passphrase_stops_at_once_with_one_line(
    cases: tuple[Fixture, Path, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    fixture, key, _ = cases
    protected = tmp_path / "protected.age"
    secret = next(line for line in key.read_text().splitlines() if line.startswith("AGE-"))
    protected.write_bytes(protect_identity(secret, "the right passphrase"))
    monkeypatch.setattr("sys.stdin", io.StringIO("not the passphrase\n"))
    files = [str(p) for p in fixture.folder.glob("*.age")]
    code = main(["desk", "export", "--identity", str(protected), "--out", str(tmp_path / "x"),
                 *files])  # fmt: skip
    assert code == 1
    assert capsys.readouterr().err.strip().splitlines() == [
        f"complaint-bot: {protected}: wrong passphrase for this identity file"
    ]
