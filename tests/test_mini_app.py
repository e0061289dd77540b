"""The desk Mini App's routes on the webhook front: the page with its policy, and a case's sealed
files only for staff of its coalition, proven by initData that this bot signed recently. The
case is sealed by the real bot (a complainant submits it through the stand-in, staff add a note);
the routes are the ones `run --webhook` mounts (bot.replicas.mini_app_routes)."""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
from collections.abc import AsyncIterator
from urllib.parse import quote, urlencode

import httpx
import minisign
import pytest
from sqlalchemy import select
from starlette.applications import Starlette

from bot.app import Runtime
from bot.config import Settings
from bot.desk_web import page_bytes
from bot.desk_web.init_data import sign_init_data
from bot.desk_web.serve import page_policy
from bot.replicas import mini_app_routes
from storage.receipts import parse_trusted_comment
from storage.schema import AuditRow, SealedChunkRow
from tests.e2e import TOKEN, Complainant, StaffTeam, named, person_id, running_bot, sealed_files
from tests.standin import BotApiStandIn
from tests.test_e2e_staff import staff_says, submit

OTHER_TOKEN = "987654321:AAEanotherbotsanotherbotsanother1"


def init_data(
    user_id: int,
    *,
    token: str = TOKEN,
    age: dt.timedelta = dt.timedelta(minutes=3),
    start: str | None = None,
) -> str:
    """initData as a Telegram client would hand it to the page, signed for `token`."""
    fields = {
        "auth_date": str(int((dt.datetime.now(dt.UTC) - age).timestamp())),
        "query_id": "AAHdF6IQAAAAAN0XohDhrOrc",
        "user": json.dumps({"id": user_id, "first_name": named("Айгерим"), "language_code": "ru"}),
    }
    if start is not None:
        fields["start_param"] = start
    return urlencode({**fields, "hash": sign_init_data(fields, token)}, quote_via=quote)


def forged(genuine: str, user_id: int, other_id: int) -> str:
    """The same initData naming another user, its hash left as it was."""
    changed = genuine.replace(quote(f'"id": {user_id}'), quote(f'"id": {other_id}'))
    assert changed != genuine
    return changed


def mini_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"mini_app_name": "desk"})


@pytest.fixture
async def sealed_case(
    standin: BotApiStandIn, settings: Settings, teams: dict[str, StaffTeam]
) -> AsyncIterator[tuple[Runtime, str]]:
    """A KZ case and a staff note on it, sealed by the running bot; the bot keeps running."""
    team = teams["kz"]
    person = Complainant(
        standin, standin.user(person_id(7301), named("Гульнара"), language_code="ru"), "ru"
    )
    async with running_bot(mini_settings(settings)) as runtime:
        reference = await submit(person, "KZ", "none", None)
        await standin.wait_for(lambda: len(sealed_files(team)) == 1, 20)
        await staff_says(standin, team, f"/note {reference} Адвокат был у него в ИВС.")
        await standin.wait_for(lambda: len(sealed_files(team)) == 2, 20)
        yield runtime, reference


def client_of(runtime: Runtime) -> httpx.AsyncClient:
    app = Starlette(routes=mini_app_routes(runtime))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://front")


def stored(runtime: Runtime, reference: str) -> dict[int, bytes]:
    """The sealed files as the database holds them: their chunks, in order."""
    files: dict[int, bytes] = {}
    with runtime.sessions() as session:
        rows = session.execute(
            select(SealedChunkRow.number, SealedChunkRow.data)
            .where(SealedChunkRow.reference == reference)
            .order_by(SealedChunkRow.number, SealedChunkRow.seq)
        )
        for number, data in rows:
            files[number] = files.get(number, b"") + data
    return files


def audit(runtime: Runtime) -> list[tuple[str, str | None, str | None, str]]:
    with runtime.sessions() as session:
        rows = session.scalars(select(AuditRow).where(AuditRow.action == "fetch"))
        return [(r.actor, r.reference, r.coalition_id, r.outcome) for r in rows]


async def test_staff_of_the_cases_coalition_get_exactly_its_sealed_files(
    sealed_case: tuple[Runtime, str], teams: dict[str, StaffTeam]
) -> None:
    runtime, reference = sealed_case
    staff = teams["kz"].member.user_id
    async with client_of(runtime) as client:
        answer = await client.get(
            f"/desk/case/{reference.lower()}",  # read leniently, like /case
            headers={"Authorization": f"tma {init_data(staff, start=reference)}"},
        )
    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "no-store"
    body = answer.json()
    assert body["reference"] == reference
    names = [f["name"] for f in body["files"]]
    assert names == [f"{reference}.age", f"{reference}-1.age"]
    given = {n: base64.b64decode(f["sealed"]) for n, f in enumerate(body["files"])}
    assert given == stored(runtime, reference)  # the stored bytes, still sealed
    assert given[0] == next(
        m.document for m in sealed_files(teams["kz"]) if m.document_name == names[0]
    )
    signer = minisign.PublicKey.from_base64(runtime.receipt_key.public_key)
    for file, sealed in zip(body["files"], given.values(), strict=True):
        assert file["receipt_name"] == file["name"] + ".minisig"
        signature = minisign.Signature.from_bytes(file["receipt"].encode())
        signer.verify(sealed, signature)
        receipt = parse_trusted_comment(signature.trusted_comment)
        assert receipt is not None
        assert (receipt.reference, receipt.file_name) == (reference, file["name"])
    assert audit(runtime) == [(runtime.pseudonym_of(staff), reference, "kz", "done")]


async def test_everyone_else_gets_one_and_the_same_refusal(
    sealed_case: tuple[Runtime, str], standin: BotApiStandIn, teams: dict[str, StaffTeam]
) -> None:
    runtime, reference = sealed_case
    staff, other_staff = teams["kz"].member.user_id, teams["kg"].member.user_id
    outsider = standin.user(person_id(7302), named("Бекзат")).user_id
    unknown = "KZ-2222-3333" if reference != "KZ-2222-3333" else "KZ-4444-5555"
    genuine = init_data(staff)
    flipped = genuine[:-1] + ("0" if genuine[-1] != "0" else "1")
    asked = {
        "an outsider's initData made to name a staff member": (
            reference,
            f"tma {forged(init_data(outsider), outsider, staff)}",
        ),
        "the hash altered": (reference, f"tma {flipped}"),
        "expired": (reference, f"tma {init_data(staff, age=dt.timedelta(hours=2))}"),
        "from the future": (reference, f"tma {init_data(staff, age=-dt.timedelta(hours=1))}"),
        "another bot's": (reference, f"tma {init_data(staff, token=OTHER_TOKEN)}"),
        "not staff": (reference, f"tma {init_data(outsider)}"),
        "another coalition's staff": (reference, f"tma {init_data(other_staff)}"),
        "unknown reference": (unknown, f"tma {genuine}"),
        "not a reference": ("KZ-0000-0000-0000", f"tma {genuine}"),
        "no initData": (reference, ""),
        "another scheme": (reference, f"Bearer {genuine}"),
    }
    answers = {}
    async with client_of(runtime) as client:
        for why, (asked_for, authorization) in asked.items():
            headers = {"Authorization": authorization} if authorization else {}
            answer = await client.get(f"/desk/case/{asked_for}", headers=headers)
            answers[why] = (answer.status_code, answer.content, answer.headers.get("content-type"))
        still = await client.get(
            f"/desk/case/{reference}", headers={"Authorization": f"tma {genuine}"}
        )
    assert still.status_code == 200  # the refusals were not for want of a case
    assert set(answers.values()) == {(403, b"not available", "text/plain; charset=utf-8")}, answers
    # Staff refused are audited (the other coalition's staff member, with the reference they
    # tried); anyone else only counted, so a prober leaves no row.
    kg = runtime.pseudonym_of(other_staff)
    fetched = audit(runtime)
    assert (kg, reference, None, "refused") in fetched
    assert (runtime.pseudonym_of(staff), unknown, None, "refused") in fetched
    assert runtime.pseudonym_of(outsider) not in {row[0] for row in fetched}
    assert runtime.casework.unaudited_refusals["fetch"] >= 1


async def test_the_page_route_carries_its_policy_with_connect_to_itself(
    sealed_case: tuple[Runtime, str],
) -> None:
    runtime, _reference = sealed_case
    async with client_of(runtime) as client:
        answer = await client.get("/desk/")
        assert (await client.get("/desk/case")).status_code == 404
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    header = answer.headers["content-security-policy"]
    built = page_policy(page_bytes())
    assert header == f"{built}; connect-src 'self'; frame-ancestors https://web.telegram.org"
    assert header.startswith("default-src 'none'; script-src 'sha256-")
    assert "'unsafe-eval'" not in header
    assert "'unsafe-inline'" not in header.split("style-src")[0]
    meta = re.search(rb'http-equiv="Content-Security-Policy" content="([^"]+)"', answer.content)
    assert meta is not None
    assert meta.group(1).decode() == f"{built}; connect-src 'self'"
    assert answer.content.replace(meta.group(1), built.encode()) == page_bytes()
    assert answer.headers["cache-control"] == "no-store"
    assert answer.headers["x-content-type-options"] == "nosniff"


def test_without_a_mini_app_name_the_front_mounts_nothing(settings: Settings) -> None:
    assert mini_app_routes(Runtime(settings)) == []
    assert len(mini_app_routes(Runtime(mini_settings(settings)))) == 2
