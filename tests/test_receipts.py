"""Signed receipts: every delivered sealed file comes with the bot's minisign signature."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path

import minisign
import pytest

from bot.cli import main
from bot.config import Settings
from bot.desk.context import Desk
from bot.desk.errors import DeskError
from bot.desk.receipts import ReceiptStatus, check_receipt
from bot.desk.sealed import open_file
from storage.errors import KeyFileError
from storage.receipts import load_or_create_receipt_key, load_receipt_key
from tests.e2e import Complainant, StaffTeam, running_bot
from tests.standin import BotApiStandIn
from tests.test_e2e_cases import report, submit
from tests.tools import require_tool


def minisign_verify(sealed: Path, public_key: str) -> subprocess.CompletedProcess[str]:
    tool = require_tool("minisign")
    return subprocess.run(
        [tool, "-Vm", str(sealed), "-P", public_key], capture_output=True, text=True, check=False
    )


async def test_each_delivered_case_comes_with_a_receipt_that_stock_minisign_and_the_desk_verify(
    standin: BotApiStandIn, settings: Settings, teams: dict[str, StaffTeam], tmp_path: Path
) -> None:
    person = Complainant(standin, standin.user(811, "Aliya", language_code="ru"), "ru")
    async with running_bot(settings) as runtime:
        reference = await submit(person, report("KZ", "Били в ИВС"))
        await standin.wait_for(lambda: len(teams["kz"].chat.messages) == 2, 20)
        public_key = runtime.receipt_key.public_key
    receipt_message, case_message = teams["kz"].chat.messages
    assert receipt_message.document_name == f"{reference}.age.minisig", "the receipt comes first"
    assert case_message.document_name == f"{reference}.age"
    assert receipt_message.document is not None
    assert case_message.document is not None
    folder = tmp_path / "downloads"
    folder.mkdir()
    sealed = folder / f"{reference}.age"
    sealed.write_bytes(case_message.document)
    (folder / f"{reference}.age.minisig").write_bytes(receipt_message.document)

    checked = minisign_verify(sealed, public_key)
    assert checked.returncode == 0, checked.stderr
    assert f"reference:{reference}" in checked.stdout
    assert f"received:{dt.datetime.now(dt.UTC).date().isoformat()}" in checked.stdout

    key = tmp_path / "kz-key.txt"
    key.write_text(teams["kz"].identity + "\n")
    desk = Desk.build(key, lambda: "", signer=public_key)
    opened = open_file(sealed, desk.keyring, desk.signer)
    assert opened.receipt.status is ReceiptStatus.VERIFIED
    assert opened.receipt.reference == reference

    unpinned = open_file(sealed, Desk.build(key, lambda: "").keyring, None)
    assert unpinned.receipt.status is ReceiptStatus.NOT_CHECKED

    other = minisign.KeyPair.generate().public_key.to_base64().decode()
    stranger = open_file(sealed, desk.keyring, Desk.build(key, lambda: "", signer=other).signer)
    assert stranger.receipt.status is ReceiptStatus.OTHER_KEY

    # A forger who holds the coalition's public key seals a case of their own: no receipt ...
    forged = folder / "KZ-FAKE-FAKE.age"
    forged.write_bytes(case_message.document)
    assert open_file(forged, desk.keyring, desk.signer).receipt.status is ReceiptStatus.UNSIGNED
    # ... or the real receipt beside a different file: both tools refuse it.
    (folder / "KZ-FAKE-FAKE.age.minisig").write_bytes(receipt_message.document)
    tampered = bytearray(case_message.document)
    tampered[-1] ^= 1
    forged.write_bytes(bytes(tampered))
    assert minisign_verify(forged, public_key).returncode != 0
    with pytest.raises(DeskError):
        open_file(forged, desk.keyring, desk.signer)  # age refuses a changed file outright
    assert check_receipt(forged, bytes(tampered), desk.signer).status is ReceiptStatus.INVALID


def test_the_signing_key_is_created_private_and_refused_when_others_can_read_it(
    tmp_path: Path,
) -> None:
    path = tmp_path / "secrets" / "receipt-key.minisign"
    key = load_or_create_receipt_key(path)
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700
    assert load_receipt_key(path).public_key == key.public_key, "the same key on every start"
    os.chmod(path, 0o640)
    with pytest.raises(KeyFileError, match="readable by others"):
        load_receipt_key(path)


def test_the_operator_prints_the_public_key_staff_pin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("RECEIPT_KEY_FILE", raising=False)
    assert main(["receipts", "key", "--out", str(tmp_path / "bot.pub")]) == 0
    printed = capsys.readouterr().out
    key = load_receipt_key(tmp_path / "data" / "receipt-key.minisign")
    assert f"receipt key (public): {key.public_key}" in printed
    assert (tmp_path / "bot.pub").read_text().splitlines()[-1] == key.public_key
    assert main(["receipts", "key"]) == 0
    assert key.public_key in capsys.readouterr().out, "the same key on the next call"
