"""Sealed files for the browser desk's tests, made by the real Python code: the case package of
`bot/cases/package.py`, the follow-up packages, age sealing of `storage/sealing.py`, and
receipts signed by Debian's `minisign` (the standard format)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.cases.casework import NOTE_SCHEMA
from bot.cases.coalitions import Coalition, Routing
from bot.cases.complainants import MESSAGE_SCHEMA
from bot.cases.followups import Enclosure, followup_package
from bot.cases.package import CaseFacts, build_package
from bot.cases.withdrawal import _notice
from bot.i18n import Catalogs
from bot.intake.draft import Draft
from bot.intake.loader import load_form
from bot.intake.urgency import urgency_of
from storage.receipts import trusted_comment
from storage.sealing import new_identity, protect_identity, seal_case

FORM = load_form()
CATALOGS = Catalogs.load()
PASSPHRASE = "correct horse battery staple"
# The smallest real PNG (1x1), and a small real JPEG (96x64, drawn by Chromium).
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201e5273de90000000049454e44ae426082"
)
JPEG = base64.b64decode(
    "/9j/4AAQSkZJRgABAQAAAQABAAD/4gHYSUNDX1BST0ZJTEUAAQEAAAHIAAAAAAQwAABtbnRyUkdCIFhZWiAH4AABAA"
    "EAAAAAAABhY3NwAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAQAA9tYAAQAAAADTLQAAAAAAAAAAAAAAAAAAAAAA"
    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAlkZXNjAAAA8AAAACRyWFlaAAABFAAAABRnWFlaAAABKA"
    "AAABRiWFlaAAABPAAAABR3dHB0AAABUAAAABRyVFJDAAABZAAAAChnVFJDAAABZAAAAChiVFJDAAABZAAAAChjcHJ0"
    "AAABjAAAADxtbHVjAAAAAAAAAAEAAAAMZW5VUwAAAAgAAAAcAHMAUgBHAEJYWVogAAAAAAAAb6IAADj1AAADkFhZWi"
    "AAAAAAAABimQAAt4UAABjaWFlaIAAAAAAAACSgAAAPhAAAts9YWVogAAAAAAAA9tYAAQAAAADTLXBhcmEAAAAAAAQA"
    "AAACZmYAAPKnAAANWQAAE9AAAApbAAAAAAAAAABtbHVjAAAAAAAAAAEAAAAMZW5VUwAAACAAAAAcAEcAbwBvAGcAbA"
    "BlACAASQBuAGMALgAgADIAMAAxADb/2wBDAA0JCgsKCA0LCgsODg0PEyAVExISEyccHhcgLikxMC4pLSwzOko+MzZG"
    "NywtQFdBRkxOUlNSMj5aYVpQYEpRUk//2wBDAQ4ODhMREyYVFSZPNS01T09PT09PT09PT09PT09PT09PT09PT09PT0"
    "9PT09PT09PT09PT09PT09PT09PT09PT0//wAARCABAAGADASIAAhEBAxEB/8QAGgABAQADAQEAAAAAAAAAAAAAAgEA"
    "BAUDBv/EACcQAQEAAgIBAwMEAwAAAAAAAAEAAgMEETEhQWEFEyISMkKRcYGC/8QAGQEAAgMBAAAAAAAAAAAAAAAAAQ"
    "IAAwUE/8QAGxEBAQEBAQEBAQAAAAAAAAAAAAECEQMhBDH/2gAMAwEAAhEDEQA/AN5YLVYLcDTRYLVYLEEWCyW81iDF"
    "gtVgsURYLVYLQEWK2LFYg7qwWqwWQ6LafP5mPF1D13nl+0tpbi/Wx+/rfZx6P7rvDE3uSk3eRqbeZyNr3ltyPgei8z"
    "dtxezbmf8ATCy1pjMnJHP2tvV9Q34PWb+vH58/3b+nk695+L1l74vm4tccssMjLFRPDUen5sa/nymm7HcWC3nx9/3t"
    "Rl/I9EmtnXNzeVd3qLBarBaI7qwWqwWrOxbU5vHOTpcfGR64vzbCxWfOrm9gWdfNZ4ZYZuOYmR5Gl3OTxtfIPzOsvb"
    "I83N3cDdrfx6zPjzaXn+nO59+Vz6xY1bJOvYPThkf6lho25vpg/wCX0r7rMnbS8r2+nqbMz26t1by0aTTh133k+Wa2"
    "Z7bm92xdmciLBarBaoXdWCyW81kOxYLVYLFEWC1WC0BFitixWIIsFqsFiiLBarBYg//Z"
)


@dataclass(frozen=True)
class Keys:
    secret: str
    public: str
    plain: Path
    protected: Path


def staff_keys(folder: Path, name: str = "staff") -> Keys:
    secret, public = new_identity()
    plain = folder / f"{name}-key.txt"
    plain.write_text(f"# public key: {public}\n{secret}\n")
    protected = folder / f"{name}-key.age"
    protected.write_bytes(protect_identity(secret, PASSPHRASE))
    return Keys(secret, public, plain, protected)


def coalition(public: str) -> Coalition:
    return Coalition(
        id="kz",
        name="NGO Coalition against Torture in Kazakhstan",
        countries=["KZ"],
        staff_chat_id=-1001,
        staff_user_ids=[9001],
        recipients=[public],
    )


def _file(ref: str, name: str, mime: str, data: bytes) -> dict[str, Any]:
    return {"ref": ref, "name": name, "mime": mime, "sha256": hashlib.sha256(data).hexdigest()}


RICH_ANSWERS: dict[str, Any] = {
    "a_safe_now": "yes",
    "a_urgent": "yes",
    "b_consent_store": "yes",
    "r_role": "relative",
    "r_relation": "parent",
    "r_name": None,
    "r_country_now": "KZ",
    "v_name": "Серікбаев Ержан Маратұлы",
    "v_sex": "male",
    "v_age": 24,
    "v_citizenship": "KZ",
    "v_residence": "Шымкент",
    "v_status_now": "detained_unknown",
    "e_narrative": "Ночью 12 марта к нам домой пришли люди в штатском, забрали сына. "
    "С тех пор мы не знаем, где он. В отделе полиции говорят, что его нет.",
    "e_detained": "yes",
    "e_date": "2026-03-12",
    "e_country": "KZ",
    "e_place": "Шымкент, Аль-Фарабийский РОВД",
    "e_how": "home",
    "e_authority": ["police", "plain_clothes"],
    "e_officer_ids": None,
    "e_incommunicado": "yes",
    "g_ill_treated": "yes",
    "g_acts": ["beat_hands", "threats"],
    "h_files": "FILES",
    "u_risks": ["whereabouts_unknown", "ongoing", "no_lawyer"],
    "b_share_lawyer": "yes",
    "b_share_un": "ask_first",
    "b_publish": "anonymised",
    "k_contact_way": "signal",
    "k_contact_value": "+7 701 000 00 00",
    "k_code_word": "абрикос",
}


def _typed(answers: dict[str, Any]) -> dict[str, Any]:
    """Answers as the engine stores them: typed text as {"text": ...}."""
    return {
        key: {"text": value}
        if isinstance(value, str) and FORM.question(key).type == "text"
        else value
        for key, value in answers.items()
    }


def rich_case(reference: str, public: str, language: str = "ru") -> bytes:
    """An urgent case with answers of every kind, skipped ones, a JPEG and a PNG."""
    files = {"f1": JPEG, "f2": PNG}
    answers = dict(RICH_ANSWERS)
    answers["h_files"] = [
        _file("f1", "injuries.jpg", "image/jpeg", JPEG),
        _file("f2", "certificate.png", "image/png", PNG),
    ]
    answers = _typed(answers)
    draft = Draft(FORM.id, FORM.version, language, answers=answers, expanded=True)
    routing = Routing(coalition(public), "KZ", cross_border=False)
    facts = CaseFacts(reference, routing, urgency_of(FORM, answers), dt.date(2026, 3, 14))
    package = build_package(FORM, draft, facts, files, CATALOGS.translator(language))
    return seal_case(package, [public])


def small_case(
    reference: str, public: str, country: str, status: str, day: int, place: str | None = None
) -> bytes:
    answers: dict[str, Any] = {
        "a_safe_now": "yes",
        "a_urgent": "no",
        "b_consent_store": "yes",
        "r_role": "victim",
        "v_status_now": status,
        "e_country": country,
        "e_place": place or f"ИВС в городе {day}",
        "e_authority": ["investigators"],
        "k_contact_way": "none",
    }
    answers = _typed(answers)
    draft = Draft(FORM.id, FORM.version, "ru", answers=answers, expanded=True)
    routing = Routing(coalition(public), country, cross_border=False)
    facts = CaseFacts(reference, routing, urgency_of(FORM, answers), dt.date(2026, 2, day))
    package = build_package(FORM, draft, facts, {}, CATALOGS.translator("ru"))
    return seal_case(package, [public])


def message_file(reference: str, public: str) -> bytes:
    document = {
        "schema": MESSAGE_SCHEMA,
        "reference": reference,
        "kind": "complainant_message",
        "received_on": "2026-03-15",
        "text": "Его перевели в СИЗО, адвоката не пускают.",
    }
    return seal_case(followup_package(document, Enclosure("scan.png", "image/png", PNG)), [public])


def note_file(reference: str, public: str) -> bytes:
    note = {
        "schema": NOTE_SCHEMA,
        "reference": reference,
        "kind": "internal_note",
        "author": "staff-3f2a",
        "written_at": "2026-03-15T09:30:00+00:00",
        "text": "Позвонили адвокату, запрос в прокуратуру отправлен.",
    }
    return seal_case(followup_package(note), [public])


def notice_file(reference: str, public: str) -> bytes:
    return seal_case(_notice(reference, dt.date(2026, 3, 16)), [public])


class Signer:
    """A minisign key pair made with Debian's minisign, signing like the server's receipts."""

    def __init__(self, folder: Path) -> None:
        self.public = folder / "signer.pub"
        self.secret = folder / "signer.key"
        subprocess.run(
            ["minisign", "-G", "-W", "-p", str(self.public), "-s", str(self.secret)],
            check=True,
            capture_output=True,
        )

    def sign(self, sealed: Path, reference: str, day: dt.date = dt.date(2026, 3, 14)) -> Path:
        """`<file>.minisig` with the bot's trusted comment (storage.receipts), by minisign."""
        comment = trusted_comment(reference, sealed.name, sealed.read_bytes(), day)
        subprocess.run(
            ["minisign", "-S", "-s", str(self.secret), "-m", str(sealed), "-t", comment],
            check=True,
            capture_output=True,
            input=b"",
        )
        return sealed.with_name(sealed.name + ".minisig")

    @staticmethod
    def available() -> bool:
        return shutil.which("minisign") is not None
