"""The audit log is about staff: complainants and strangers leave no row in it."""

from __future__ import annotations

import asyncio
import json
import socket
import urllib.request

from sqlalchemy import func, select

from bot.config import Settings
from storage.schema import AuditRow
from tests.e2e import Complainant, StaffTeam, named, person_id, running_bot, sealed_files
from tests.standin import BotApiStandIn
from tests.test_e2e_staff import says, submit


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def refused(exposition: str) -> dict[str, float]:
    return {
        line.split('"')[1]: float(line.split()[-1])
        for line in exposition.splitlines()
        if line.startswith("complaint_bot_unaudited_refusals_total{")
    }


def scrape(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback, the test's own
        body: bytes = response.read()
        return body.decode()


async def test_complainants_commands_leave_no_audit_row_and_foreign_groups_are_left(
    standin: BotApiStandIn, settings: Settings, teams: dict[str, StaffTeam]
) -> None:
    metrics_port = free_port()
    settings = settings.model_copy(update={"metrics_port": metrics_port})
    team = teams["kz"]
    user = standin.user(person_id(5201), named("Saule"), language_code="en")
    person = Complainant(standin, user, "en")
    prober = standin.user(person_id(5202), named("Prober"), language_code="ru")
    stranger_group = standin.group(-1009999000001, "anyone's group")
    async with running_bot(settings) as runtime:
        reference = await submit(person, "KZ", "bot_chat", "poplar")
        await standin.wait_for(lambda: len(sealed_files(team)) == 1, 20)
        before = await asyncio.to_thread(scrape, f"http://127.0.0.1:{metrics_port}/metrics")
        for command in (f"/status {reference}", "/cases", f"/case {reference}"):
            await says(standin, user, command)
            await says(standin, prober, command.replace(reference, "KZ-0000-0000"))
        for number in range(5):
            await prober.send_text(f"/cases@complaint_bot {number}", chat=stranger_group)
        await standin.wait_idle(quiet=0.3, timeout=20)
        with runtime.database.connect() as connection:
            rows = connection.execute(select(func.count()).select_from(AuditRow)).scalar_one()
        refusals = sum(getattr(runtime.casework, "unaudited_refusals", {}).values())
        after = await asyncio.to_thread(scrape, f"http://127.0.0.1:{metrics_port}/metrics")
    assert rows == 0, "no row for complainants or strangers"
    assert refusals >= 6, "counted, not logged per person"
    counted = {action: n - refused(before).get(action, 0) for action, n in refused(after).items()}
    assert counted["list"] >= 2, "the count is a metric, also in polling mode"
    assert counted["status"] == 2
    assert str(person_id(5201)) not in after, "no person in any metric"
    assert stranger_group.chat.left
    assert {c.params["chat_id"] for c in standin.calls_of("leaveChat")} == {stranger_group.chat_id}
    assert not any(m.from_bot for m in stranger_group.messages)
    menus = {
        json.dumps(c.params.get("scope"), sort_keys=True) for c in standin.calls_of("setMyCommands")
    }
    assert json.dumps({"type": "all_group_chats"}) not in menus
    for staff in teams.values():
        assert json.dumps({"chat_id": staff.chat.chat_id, "type": "chat"}) in menus
