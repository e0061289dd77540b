"""In each language of the bot, through the real bot and the stand-in: a complainant on the urgent
track and one on the full form reach a case delivered to the coalition, typing dates, ages and
yes/no in their own words; the case keeps the English question text beside the original answer."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest

from bot.config import Settings
from bot.i18n import LANGUAGE_NAMES
from bot.intake.dates import MONTHS
from storage.sealing import open_case, read_identities
from tests.e2e import (
    FORM,
    Answer,
    Complainant,
    StaffTeam,
    named,
    person_id,
    running_bot,
    sealed_files,
)
from tests.standin import BotApiStandIn
from tests.standin.views import MessageView

NARRATIVE = {
    "ru": "Ночью пришли, забрали сына из дома и увезли в машине",
    "kk": "Түнде келіп, ұлымды үйден алып кетті, көлікпен әкетті",
    "ky": "Түндө келип, уулумду үйдөн алып кетишти, унаага салып кетишти",
    "tg": "Шабона омада, писарамро аз хона бурданд ва бо мошин бурданд",
    "uz": "Kechasi kelib, oʻgʻlimni uydan olib ketishdi va mashinada olib ketishdi",
    "uz_Cyrl": "Кечаси келиб, ўғлимни уйдан олиб кетишди ва машинада олиб кетишди",
    "tk": "Gijesi gelip, oglumy öýden alyp gitdiler we maşynda äkitdiler",
    "en": "They came at night, took my son from home and drove him away in a car",
}
AGE = {"ru": "24 года", "kk": "24 жаста", "ky": "24 жашта", "tg": "24 сола", "uz": "24 yosh",
       "uz_Cyrl": "24 ёш", "tk": "24 ýaşynda", "en": "24 years"}  # fmt: skip
YES = {"ru": "да", "kk": "иә", "ky": "ооба", "tg": "ҳа", "uz": "ha", "uz_Cyrl": "ҳа",
       "tk": "hawa", "en": "yes"}  # fmt: skip
LANGUAGES = sorted(LANGUAGE_NAMES)


def typed(words: str) -> Answer:
    async def say(person: Complainant) -> None:
        await person.user.send_text(words)

    return say


def full_form(language: str) -> dict[str, Answer]:
    march = MONTHS[language][2]
    return {
        "a_safe_now": "yes",
        "a_urgent": "no",
        "b_consent_store": "yes",
        "r_role": "relative",
        "r_relation": "parent",
        "v_name": "Timur S.",
        "v_age": typed(AGE[language]),
        "v_status_now": "detained_known",
        "e_narrative": NARRATIVE[language],
        "e_detained": typed(YES[language]),
        "e_date": f"12 {march} 2026",
        "e_country": "KZ",
        "e_place": "Almaty",
        "k_contact_way": "none",
    }


def urgent(language: str) -> dict[str, Answer]:
    return {
        "a_safe_now": "yes",
        "a_urgent": "yes",
        "b_consent_store": "yes",
        "r_role": "relative",
        "v_name": NARRATIVE[language][:20],
        "e_date": f"1-{MONTHS[language][9]} 2025" if language.startswith("uz") else "01.10.2025",
        "e_country": "KZ",
        "e_place": "ИВС",
        "u_risks": ["whereabouts_unknown"],
        "k_contact_way": "none",
    }


def opened(team: StaffTeam, message: MessageView) -> dict[str, Any]:
    assert message.document is not None
    package = open_case(message.document, read_identities(team.identity.encode()))
    case: dict[str, Any] = json.loads(zipfile.ZipFile(io.BytesIO(package)).read("case.json"))
    return case


async def send(person: Complainant, script: dict[str, Answer]) -> None:
    await person.command("start")
    await person.walk(script)
    done = await person.press("✅ " + person.t.gettext("Send the report"))
    assert "KZ-" in done.content


@pytest.mark.parametrize("language", LANGUAGES)
async def test_urgent_and_full_form_complainants_reach_a_delivered_case(
    standin: BotApiStandIn, settings: Settings, teams: dict[str, StaffTeam], language: str
) -> None:
    code = language.replace("_", "-")
    seed = 4400 + 10 * LANGUAGES.index(language)
    full = Complainant(standin, standin.user(person_id(seed), named("Ona"), language_code=code),
                       language)  # fmt: skip
    fast = Complainant(
        standin, standin.user(person_id(seed + 1), named("Ota"), language_code=code), language
    )
    async with running_bot(settings):
        await send(full, full_form(language))
        await send(fast, urgent(language))
        await standin.wait_for(lambda: len(sealed_files(teams["kz"])) == 2, 20)
    cases = [opened(teams["kz"], message) for message in sealed_files(teams["kz"])]
    answers = [{a["question_id"]: a for a in case["answers"]} for case in cases]
    (full_answers,) = [a for a in answers if a.get("e_narrative", {}).get("value")]
    (fast_answers,) = [a for a in answers if a is not full_answers]
    narrative = full_answers["e_narrative"]
    assert narrative["value"] == NARRATIVE[language], "the original answer, as typed"
    assert narrative["question"] == FORM.question("e_narrative").text, "beside the English text"
    assert full_answers["e_date"]["value"] == "2026-03-12"
    assert full_answers["v_age"]["value"] == 24
    assert full_answers["e_detained"]["value"] == "yes"
    assert fast_answers["e_date"]["value"] == "2025-10-01"
    assert fast_answers["e_place"]["question"] == FORM.question("e_place").text
    assert fast_answers["u_risks"]["value"] == ["whereabouts_unknown"]
