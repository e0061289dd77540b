"""Sealed cases: routed by country, delivered once to the right staff chat, readable only there."""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.config import Settings
from bot.desk import DeskError, open_sealed_file
from storage.database import make_engine
from storage.schema import CaseRow, DraftFileRow, DraftRow, SealedChunkRow
from storage.sealing import BadKey, CaseUnopenable, open_case, read_identities
from tests.e2e import (
    FORM,
    Answer,
    BotProcess,
    Complainant,
    StaffTeam,
    every_stored_value,
    named,
    person_id,
    plaintext_hits,
    running_bot,
    sealed_files,
)
from tests.standin import ApiError, BotApiStandIn, SimUser
from tests.standin.views import MessageView


def photo_of(country: str) -> bytes:
    return b"\xff\xd8\xff\xe0" + f"photo of injuries reported in {country} ".encode() * 40


def report(country: str, narrative: str) -> dict[str, Answer]:
    return {
        "a_safe_now": "yes",
        "a_urgent": "no",
        "b_consent_store": "yes",
        "r_role": "victim",
        "v_citizenship": "TJ" if country == "RU" else country,
        "e_narrative": narrative,
        "e_country": country if country in {"KZ", "KG", "TJ", "UZ", "TM", "RU"} else "other",
        "e_place": f"a police station in {country}",
        "h_files": photo_of(country),
        "k_contact_way": "none",
    }


async def submit(person: Complainant, script: dict[str, Answer]) -> str:
    await person.command("start")
    await person.walk(script)
    done = await person.press("✅ " + person.t.gettext("Send the report"))
    reference = next(word for word in done.content.split() if word.count("-") == 2)
    return reference.rstrip(".")


def opened(team: StaffTeam, message: MessageView) -> tuple[dict[str, Any], zipfile.ZipFile]:
    assert message.document is not None
    package = open_case(message.document, read_identities(team.identity.encode()))
    archive = zipfile.ZipFile(io.BytesIO(package))
    return json.loads(archive.read("case.json")), archive


COUNTRIES = {"KZ": "kz", "KG": "kg", "TJ": "tj", "UZ": "uz", "TM": "tm", "RU": "intl"}


async def test_each_coalition_receives_exactly_its_cases_sealed_to_its_keys(
    standin: BotApiStandIn, settings: Settings, teams: dict[str, StaffTeam], tmp_path: Path
) -> None:
    references: dict[str, str] = {}
    people: list[SimUser] = []
    narratives = {c: f"In {c} they beat me during questioning, case {c}" for c in COUNTRIES}
    async with running_bot(settings) as runtime:
        for number, country in enumerate(COUNTRIES):
            user = standin.user(
                person_id(700 + number), named(f"Person {country}"), language_code="en"
            )
            people.append(user)
            person = Complainant(standin, user, "en")
            references[country] = await submit(person, report(country, narratives[country]))
        await standin.wait_for(lambda: all(len(sealed_files(t)) == 1 for t in teams.values()), 20)
        await asyncio.sleep(2.5)
        database = runtime.database
        secrets: list[str | int] = [*narratives.values(), "police station in", "photo of injuries"]
        secrets += [who.user_id for who in people] + [who.user["first_name"] for who in people]
        assert plaintext_hits(database, secrets) == []
        with database.connect() as connection:
            rows = connection.execute(select(CaseRow.reference, CaseRow.coalition_id)).all()
        assert {(r, c) for r, c in rows} == {(references[k], v) for k, v in COUNTRIES.items()}

    for country, coalition_id in COUNTRIES.items():
        team = teams[coalition_id]
        (message,) = sealed_files(team)
        reference = references[country]
        assert message.document_name == f"{reference}.age"
        assert reference.startswith(country if coalition_id != "intl" else "XX")
        assert narratives[country] not in (message.caption or "")
        case, archive = opened(team, message)
        assert case["reference"] == reference
        assert case["schema"] == "complaint-bot/case/v1"
        answers = {a["question_id"]: a for a in case["answers"]}
        assert answers["e_narrative"]["value"] == narratives[country]
        assert answers["e_narrative"]["question"] == FORM.question("e_narrative").text
        assert case["routing"] == {
            "country_of_events": country,
            "cross_border": country == "RU",
        }
        (attachment,) = case["attachments"]
        data = archive.read(attachment["path"])
        assert data == photo_of(country)
        assert attachment["sha256"] == hashlib.sha256(data).hexdigest()
        assert "report.html" in archive.namelist()
        others = [t for t in teams.values() if t.coalition_id != coalition_id]
        assert message.document is not None
        with pytest.raises(CaseUnopenable):
            open_case(message.document, read_identities(others[0].identity.encode()))


def stock_age_decrypt(key: Path, sealed: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        ["age", "-d", "-i", str(key), str(sealed)], capture_output=True, check=False
    )


@pytest.mark.skipif(shutil.which("age") is None, reason="the stock age tool is not installed")
async def test_a_case_opens_with_the_stock_age_tool_and_the_desk(
    standin: BotApiStandIn, settings: Settings, teams: dict[str, StaffTeam], tmp_path: Path
) -> None:
    user = standin.user(person_id(801), named("Madina"), language_code="ru")
    person = Complainant(standin, user, "ru")
    async with running_bot(settings):
        reference = await submit(person, report("UZ", "Меня избили в СИЗО"))
        await standin.wait_for(lambda: len(sealed_files(teams["uz"])) == 1, 20)
    (message,) = sealed_files(teams["uz"])
    assert message.document is not None
    sealed = tmp_path / f"{reference}.age"
    sealed.write_bytes(message.document)
    key = tmp_path / "uz-key.txt"
    key.write_text(teams["uz"].identity + "\n")
    result = await asyncio.to_thread(stock_age_decrypt, key, sealed)
    assert result.returncode == 0, result.stderr
    archive = zipfile.ZipFile(io.BytesIO(result.stdout))
    assert "Меня избили в СИЗО" in archive.read("case.json").decode()

    desk = open_sealed_file(sealed, key, tmp_path / "desk", lambda: "")
    assert desk.files_checked == 1
    assert (desk.folder / "report.html").read_text().count(reference) >= 1
    wrong = tmp_path / "kz-key.txt"
    wrong.write_text(teams["kz"].identity + "\n")
    with pytest.raises(DeskError, match="not sealed to this key"):
        open_sealed_file(sealed, wrong, tmp_path / "desk2", lambda: "")
    other = await asyncio.to_thread(stock_age_decrypt, wrong, sealed)
    assert other.returncode != 0


async def test_delivery_survives_429_then_500_and_is_made_once(
    standin: BotApiStandIn, settings: Settings, teams: dict[str, StaffTeam]
) -> None:
    standin.fail_next(
        "sendDocument",
        ApiError(429, "Too Many Requests: retry after 1", retry_after=1),
        ApiError(500, "Internal Server Error"),
    )
    user = standin.user(person_id(802), named("Aibek"), language_code="ru")
    person = Complainant(standin, user, "ru")
    async with running_bot(settings):
        reference = await submit(person, report("KG", "Избили при задержании"))
        await standin.wait_for(lambda: len(sealed_files(teams["kg"])) == 1, 30)
        await asyncio.sleep(3)
    attempts = standin.calls_of("sendDocument")
    assert [c.status for c in attempts] == [429, 500, 200, 200], "the receipt, then the case"
    assert [m.document_name for m in sealed_files(teams["kg"])] == [f"{reference}.age"]


async def test_a_refusing_staff_chat_keeps_its_cases_queued(
    standin: BotApiStandIn, settings: Settings, teams: dict[str, StaffTeam]
) -> None:
    standin.forbid(teams["tj"].chat.chat_id)
    user = standin.user(person_id(803), named("Firuz"), language_code="ru")
    person = Complainant(standin, user, "ru")
    async with running_bot(settings) as runtime:
        reference = await submit(person, report("TJ", "Пытали током"))
        await standin.wait_for(lambda: bool(standin.calls_of("sendDocument")), 20)

        def settled() -> bool:  # the refusal is recorded after Telegram answered, not at once
            with runtime.unit_of_work() as unit:
                return any(s.last_error is not None for s in unit.outbox.waiting())

        await standin.wait_for(settled, 20)
        with runtime.unit_of_work() as unit:
            (state,) = unit.outbox.waiting()
    assert state.oldest_reference == reference
    assert state.last_error == "forbidden"
    assert sealed_files(teams["tj"]) == []


async def test_killed_between_sealing_and_sending_the_case_is_delivered_once(
    standin: BotApiStandIn, tmp_path: Path, database_url: str, teams: dict[str, StaffTeam]
) -> None:
    bot = BotProcess(
        standin, tmp_path / "data", database_url, tmp_path / "config" / "coalitions.yaml"
    )
    user = standin.user(person_id(804), named("Zarina"), language_code="ru")
    person = Complainant(standin, user, "ru", quiet=0.3)
    await bot.start()
    await person.command("start")
    await person.walk(report("TM", "Держали без связи"))
    standin.pause()
    await user.press("✅ " + person.t.gettext("Send the report"))
    engine = make_engine(database_url)
    try:
        for _ in range(200):
            with engine.connect() as connection:
                if connection.execute(select(CaseRow.reference)).first():
                    break
            await asyncio.sleep(0.05)
        else:
            raise AssertionError("the case was never sealed")
    finally:
        engine.dispose()
    await bot.kill()
    standin.resume()
    assert sealed_files(teams["tm"]) == []
    await bot.start()
    try:
        await standin.wait_for(lambda: len(sealed_files(teams["tm"])) == 1, 30)
        await asyncio.sleep(3)
    finally:
        log = await bot.stop()
    assert len(sealed_files(teams["tm"])) == 1, log


async def test_the_server_cannot_open_a_submitted_case(
    standin: BotApiStandIn, settings: Settings, teams: dict[str, StaffTeam]
) -> None:
    user = standin.user(person_id(805), named("Nodira"), language_code="ru")
    person = Complainant(standin, user, "ru")
    async with running_bot(settings) as runtime:
        await submit(person, report("UZ", "Сломали рёбра"))
        with runtime.database.connect() as connection:
            pieces = connection.execute(
                select(SealedChunkRow.data).order_by(SealedChunkRow.number, SealedChunkRow.seq)
            )
            sealed = b"".join(pieces.scalars().all())
            leftovers = [
                connection.execute(select(func.count()).select_from(table)).scalar_one()
                for table in (DraftRow, DraftFileRow)
            ]
        stored = [value for *_, value in every_stored_value(runtime.database)]
    assert leftovers == [0, 0], "the draft and its files are destroyed once sealed"
    server_files = [p for p in settings.data_dir.rglob("*") if p.is_file()]
    assert server_files
    blobs = [p.read_bytes() for p in server_files] + [str(value).encode() for value in stored]
    for data in blobs:
        assert b"AGE-SECRET-KEY-" not in data.upper()
    for path in server_files:
        with pytest.raises((BadKey, CaseUnopenable)):
            open_case(bytes(sealed), read_identities(path.read_bytes()))
    assert open_case(bytes(sealed), read_identities(teams["uz"].identity.encode()))
