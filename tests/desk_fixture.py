"""Thirty varied cases for the desk's statistics, made by the real package and seal functions.

The expected counts in tests/test_desk_stats.py are written by hand from this table, not
computed by the code under test.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.cases.coalitions import Coalition, CoalitionDirectory, route
from bot.cases.package import CaseFacts, build_package
from bot.intake.draft import Draft
from bot.intake.urgency import urgency_of
from storage.receipts import ReceiptKey
from storage.sealing import seal_case
from tests.e2e import CATALOGS, FORM

REGIONS = {
    **dict.fromkeys(range(1, 13), "Алматы"),
    **dict.fromkeys(range(13, 21), "Шымкент"),
    **dict.fromkeys(range(21, 24), "Өскемен"),
    24: "Жаңаөзен",
    25: "Қарағанды",
    26: "Шаһар Үштөбе, Әулиеата, Шиелі",
    27: "Ҷиликӯл, Ҳисорӣ",
    28: "Qoʻqon",
    29: "Çärjew, Ýolöten",
    30: "Aşgabat, Ňyýazow etraby, Žeňli",
}
CLASSIFICATION = {
    **dict.fromkeys(range(1, 17), "torture"),
    **dict.fromkeys(range(17, 29), "ill-treatment"),
    29: "other",
}


@dataclass(frozen=True)
class Fixture:
    folder: Path
    references: dict[int, str]


def answers_of(i: int) -> dict[str, Any]:
    answers: dict[str, Any] = {
        "a_safe_now": "yes",
        "a_urgent": "yes" if i <= 6 else "no",
        "b_consent_store": "yes",
        "r_role": "relative",
        "e_country": "KZ",
        "v_citizenship": "UZ" if i >= 28 else "KZ",
        "v_residence": {"text": REGIONS[i] if i != 2 else "  алматы "},
        "e_detained": "yes",
        "g_ill_treated": "yes",
        "k_contact_way": "none",
        "e_narrative": {"text": f"Рассказ номер {i}"},
    }
    if i <= 7:
        answers["v_sex"] = "female"
    elif i <= 27:
        answers["v_sex"] = "male"
    elif i == 28:
        answers["v_sex"] = "other"
    if i <= 3:
        answers["v_age"] = 16
    elif i <= 26:
        answers["v_age"] = 30
    if i <= 10:
        answers["f_types"] = ["ivs"]
    elif i <= 20:
        answers["f_types"] = ["ivs", "sizo"]
    elif i <= 25:
        answers["f_types"] = ["police_station"]
    elif i <= 28:
        answers["f_types"] = ["prison"]
    elif i == 29:
        answers["f_types"] = ["colony", "unofficial"]
    answers["e_authority"] = (
        ["police"] if i <= 15 else ["police", "security_service"] if i <= 25 else ["prison_staff"]
    )
    answers["g_acts"] = (
        ["beat_hands"] + (["electric"] if i > 20 else []) + (["asphyxia"] if i <= 6 else [])
    )
    if i <= 6:
        answers["u_risks"] = ["ongoing"]
    answers["l_complaint_made"] = "yes" if i <= 10 else "no" if i <= 25 else "dont_know"
    if i <= 10:
        answers["l_complaint_to"] = ["prosecutor"] if i <= 8 else ["prosecutor", "court"]
        answers["l_complaint_result"] = "refused" if i <= 5 else "no_reply" if i <= 9 else "opened"
    answers["b_share_un"] = "yes_named" if i == 1 else "no"
    return answers


def received_on(i: int) -> dt.date:
    if i <= 4:
        return dt.date(2024, 12, i)
    if i <= 12:
        return dt.date(2025, 11, i)
    return dt.date(2025, 12, i - 12)


def directory(recipient: str) -> CoalitionDirectory:
    return CoalitionDirectory(
        coalitions=[
            Coalition(
                id="kz",
                name="NGO Coalition against Torture in Kazakhstan",
                countries=["KZ"],
                staff_chat_id=-1001,
                recipients=[recipient],
            ),
            Coalition(
                id="uz", name="AHRCA", countries=["UZ"], staff_chat_id=-1002, recipients=[recipient]
            ),
        ],
        fallback="kz",
    )


def seal_thirty(folder: Path, recipient: str, receipts: ReceiptKey) -> Fixture:
    folder.mkdir(parents=True, exist_ok=True)
    routes = directory(recipient)
    references = {}
    for i in range(1, 31):
        answers = answers_of(i)
        draft = Draft(FORM.id, FORM.version, "ru", answers=answers, expanded=True)
        reference = f"KZ-{i:04d}-TEST"
        facts = CaseFacts(
            reference, route(routes, answers), urgency_of(FORM, answers), received_on(i)
        )
        package = build_package(FORM, draft, facts, {}, CATALOGS.translator("ru"))
        sealed = seal_case(package, [recipient])
        name = f"{reference}.age"
        (folder / name).write_bytes(sealed)
        (folder / f"{name}.minisig").write_bytes(
            receipts.sign(sealed, reference, name, received_on(i))
        )
        references[i] = reference
    return Fixture(folder, references)
