"""`desk refer`: re-seal an opened case to another body, on the staff device only.

The server never sees a referral. The new file holds the original package unchanged (so every
SHA-256 still holds) plus `referral.json` (who referred, when, why, and the original receipt's
status); it is sealed with age to the recipients given and gets a fresh receipt: its SHA-256, and a
minisign signature when the staff member has a signing key of their own. When the complainant
agreed to UN sharing, a prefilled draft of a communication to the UN Special Rapporteur on Torture
(or the Working Group on Arbitrary Detention, for a detention) is written beside it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.desk.context import Desk
from bot.desk.errors import DeskError
from bot.desk.folders import private_folder, write_private
from bot.desk.labels import Words
from bot.desk.sealed import OpenedFile, open_file
from storage.errors import KeyFileError
from storage.receipts import load_or_create_receipt_key
from storage.sealing import BadKey, seal_case

REFERRAL_SCHEMA = "complaint-bot/referral/v1"
UN_CONSENT = ("yes_named", "ask_first")


@dataclass(frozen=True)
class Referral:
    sealed: Path
    receipt: Path
    signature: Path | None
    un_draft: Path | None


def refer(
    sealed_path: Path,
    desk: Desk,
    recipients: Sequence[str],
    out_dir: Path,
    *,
    referred_by: str,
    reason: str,
    signing_key: Path | None = None,
    now: dt.datetime | None = None,
) -> Referral:
    opened = open_file(sealed_path, desk.keyring, desk.signer, desk.limits)
    if not opened.is_case:
        raise DeskError(f"{sealed_path.name} is not a case; refer the case file <REF>.age")
    now = now or dt.datetime.now(dt.UTC)
    referral = {
        "schema": REFERRAL_SCHEMA,
        "reference": opened.reference,
        "referred_by": referred_by,
        "referred_on": now.date().isoformat(),
        "reason": reason,
        "recipients": list(recipients),
        "original_receipt": {
            "status": opened.receipt.status.value,
            "detail": opened.receipt.detail,
        },
    }
    package = _package(opened, referral)
    try:
        sealed = seal_case(package, [r.strip() for r in recipients if r.strip()])
    except BadKey as error:
        raise DeskError(f"--to: {error}") from None
    private_folder(out_dir)
    name = f"{opened.reference}.referral.age"
    sealed_out = write_private(out_dir / name, sealed)
    digest = hashlib.sha256(sealed).hexdigest()
    receipt = {
        "file": name,
        "sha256": digest,
        "reference": opened.reference,
        "referred_on": referral["referred_on"],
        "referred_by": referred_by,
    }
    receipt_out = write_private(
        out_dir / f"{name}.receipt.json", json.dumps(receipt, ensure_ascii=False, indent=2).encode()
    )
    signature = None
    if signing_key is not None:
        try:
            key = load_or_create_receipt_key(signing_key)
        except KeyFileError as error:
            raise DeskError(str(error)) from None
        signature = write_private(
            out_dir / f"{name}.minisig", key.sign(sealed, opened.reference, name, now.date())
        )
        write_private(signing_key.with_suffix(".pub"), key.public_key_file())
    draft = None
    if _un_consent(opened.manifest):
        # English, a working language of the UN special procedures; staff may translate.
        text = un_communication(opened.manifest, Words("en", desk.form))
        draft = write_private(out_dir / f"{opened.reference}.un-draft.txt", text.encode())
    return Referral(sealed_out, receipt_out, signature, draft)


def _package(opened: OpenedFile, referral: Mapping[str, Any]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "case.json",
            json.dumps(opened.manifest, ensure_ascii=False, indent=2),
            zipfile.ZIP_DEFLATED,
        )
        archive.writestr(
            "referral.json",
            json.dumps(referral, ensure_ascii=False, indent=2),
            zipfile.ZIP_DEFLATED,
        )
        for path, data in opened.content.attachments.items():
            archive.writestr(path, data, zipfile.ZIP_STORED)
    return buffer.getvalue()


def _un_consent(case: Mapping[str, Any]) -> bool:
    return _answer(case, "b_share_un") in UN_CONSENT


def _answer(case: Mapping[str, Any], question_id: str) -> Any:
    for answer in case.get("answers", []):
        if answer.get("question_id") == question_id and not answer.get("skipped"):
            return answer.get("value")
    return None


def un_communication(case: Mapping[str, Any], words: Words) -> str:
    """A prefilled draft for the UN special procedures, from the case's answers. Staff complete,
    check and send it themselves; nothing here is sent anywhere."""
    w = words

    def shown(question_id: str) -> str:
        value = _answer(case, question_id)
        if value is None:
            return "—"
        if isinstance(value, list):
            return ", ".join(w.choice(question_id, str(v)) for v in value)
        if isinstance(value, dict):
            return w("(voice message, see the case file)")
        text = str(value)
        if question_id in ("e_date", "h_death_date"):
            return w.date(text)
        choice = w.choice(question_id, text)
        return choice

    detained = _answer(case, "e_detained") == "yes"
    mandate = (
        "Working Group on Arbitrary Detention and Special Rapporteur on Torture"
        if detained
        else "Special Rapporteur on Torture and other cruel, inhuman or degrading treatment"
    )
    naming = (
        "The complainant agreed to sharing with the UN with the name."
        if _answer(case, "b_share_un") == "yes_named"
        else "The complainant asked to be consulted before the name is given: ASK FIRST."
    )
    lines = [
        f"DRAFT communication to the {mandate}",
        f"Case {case.get('reference', '')} · prepared from the sealed case file; check every line",
        naming,
        "Note: the UN transmits allegations to the government concerned.",
        "",
        "1. Alleged victim",
        f"   Name: {shown('v_name')}",
        f"   Sex: {shown('v_sex')}   Age: {shown('v_age')}   Citizenship: {shown('v_citizenship')}",
        f"   Occupation / profile: {shown('v_occupation')} / {shown('v_profile')}",
        f"   Where now: {shown('v_status_now')}",
        "",
        "2. Facts",
        f"   Date: {shown('e_date')}   Country: {shown('e_country')}",
        f"   Place: {shown('e_place')}",
        f"   Deprived of liberty: {shown('e_detained')}   How: {shown('e_how')}",
        f"   Authorities involved: {shown('e_authority')}",
        f"   Places of detention: {shown('f_types')} ({shown('f_names')})",
        f"   Acts: {shown('g_acts')}",
        f"   Purpose: {shown('g_purpose')}",
        f"   Account: {shown('e_narrative')}",
        "",
        "3. Guarantees",
        f"   Detention recorded: {shown('e_registered')}",
        f"   Family told: {shown('e_family_informed')}",
        f"   Lawyer: {shown('e_lawyer')}   Judge: {shown('e_judge')}",
        f"   Medical examination: {shown('h_exam')}   Injuries: {shown('h_injuries')}",
        "",
        "4. Steps taken with the authorities",
        f"   Complaint made: {shown('l_complaint_made')} to {shown('l_complaint_to')}",
        f"   Result: {shown('l_complaint_result')}   Reprisals: {shown('l_reprisals')}",
        "",
        "5. Risks now",
        f"   {shown('u_risks')}",
        "",
        "6. Submitted by: [the coalition, contact person, secure contact]",
    ]
    return "\n".join(lines) + "\n"
