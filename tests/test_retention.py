"""Closed cases are purged after their coalition's retention, with a warning to staff first."""

from __future__ import annotations

import asyncio
import datetime as dt
import subprocess
import sys
from pathlib import Path

from sqlalchemy import Engine, func, select

from bot.cases.coalitions import CoalitionDirectory
from bot.cases.retention import Retention, RetentionRound
from storage.at_rest import AtRestSealer
from storage.database import make_sessions
from storage.schema import CaseRow, OutboxRow, SealedFileRow
from storage.server_keys import ServerKeys
from storage.unit_of_work import SqlUnitOfWork
from tests.e2e import make_coalitions, running_bot, settings_for
from tests.kit import Units, add_case
from tests.standin import BotApiStandIn

NOW = dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)
KEY = "age1tmxzxdqsjfmxyag0vlsu283g8xzc55r32zzjzz37gfnaqzaz5qlq8nj63e"
DIRECTORY = CoalitionDirectory.model_validate(
    {
        "coalitions": [
            {"id": "kz", "name": "KZ coalition", "countries": ["KZ"], "staff_chat_id": -5,
             "recipients": [KEY], "retention_days": 90},
        ],
        "fallback": "kz",
    }
)  # fmt: skip


def count(database: Engine, table: type[CaseRow] | type[SealedFileRow] | type[OutboxRow]) -> int:
    with database.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())


def test_warn_a_week_ahead_then_purge_for_real(database: Engine) -> None:
    sessions = make_sessions(database)
    sealer = AtRestSealer(ServerKeys.generate().at_rest_keys)

    def units() -> SqlUnitOfWork:
        return SqlUnitOfWork(sessions, sealer)

    with units() as unit:
        unit.cases.add("KZ-AAAA-0001", "kz", "high", NOW.date(), b"sealed")
        unit.cases.add("KZ-AAAA-0002", "kz", "low", NOW.date(), b"sealed")
        unit.cases.close("KZ-AAAA-0001", NOW.date() - 83 * DAY)
        unit.commit()
    retention = Retention(units, DIRECTORY)
    assert retention.run(NOW - DAY).warned == [], "not yet within the week"
    dry = retention.run(NOW, dry_run=True)
    assert (dry.warned, dry.purged) == (["KZ-AAAA-0001"], [])
    assert count(database, OutboxRow) == 0, "a dry run changes nothing"
    first = retention.run(NOW)
    assert (first.warned, first.purged) == (["KZ-AAAA-0001"], [])
    assert count(database, OutboxRow) == 1
    assert retention.run(NOW + DAY).warned == [], "one warning only"
    assert retention.run(NOW + 6 * DAY).purged == [], "the period is not over"
    last = retention.run(NOW + 7 * DAY)
    assert last.purged == ["KZ-AAAA-0001"]
    assert count(database, CaseRow) == 1, "the open case stays"
    assert count(database, SealedFileRow) == 1
    assert count(database, OutboxRow) == 0


def test_a_late_warning_postpones_the_purge(database: Engine) -> None:
    sessions = make_sessions(database)
    sealer = AtRestSealer(ServerKeys.generate().at_rest_keys)

    def units() -> SqlUnitOfWork:
        return SqlUnitOfWork(sessions, sealer)

    with units() as unit:
        unit.cases.add("KZ-AAAA-0003", "kz", "high", NOW.date(), b"sealed")
        unit.cases.close("KZ-AAAA-0003", NOW.date() - 400 * DAY)
        unit.commit()
    retention = Retention(units, DIRECTORY)
    assert retention.run(NOW).warned == ["KZ-AAAA-0003"]
    assert retention.run(NOW + 6 * DAY).purged == []
    assert retention.run(NOW + 7 * DAY).purged == ["KZ-AAAA-0003"]


def purge_command(env: dict[str, str], *options: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "purge", *options],
        env=env, capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stdout


async def test_the_staff_chat_is_warned_and_the_purge_command_deletes(
    standin: BotApiStandIn, tmp_path: Path, database_url: str
) -> None:
    coalitions, teams = make_coalitions(standin, tmp_path / "config")
    settings = settings_for(standin, tmp_path / "data", database_url, coalitions)
    async with running_bot(settings) as runtime:
        with runtime.unit_of_work() as unit:
            unit.cases.add("KZ-BBBB-0001", "kz", "high", NOW.date(), b"sealed")
            unit.cases.close("KZ-BBBB-0001", dt.date.today() - 362 * DAY)
            unit.commit()
        assert runtime.tidy().cases.warned == ["KZ-BBBB-0001"]
        await standin.wait_for(lambda: len(teams["kz"].chat.messages) == 1, 20)
    warning = teams["kz"].chat.messages[0]
    assert "KZ-BBBB-0001" in warning.content
    assert "KZ-BBBB-0001.age" in warning.content
    with runtime.unit_of_work() as unit:
        unit.cases.mark_warned("KZ-BBBB-0001", dt.date.today() - 8 * DAY)
        unit.cases.close("KZ-BBBB-0001", dt.date.today() - 366 * DAY)
        unit.commit()
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "DATA_DIR": str(tmp_path / "data"),
        "DATABASE_URL": database_url,
        "COALITIONS_FILE": str(coalitions),
    }
    dry = await asyncio.to_thread(purge_command, env, "--dry-run")
    assert "closed cases (would delete): KZ-BBBB-0001" in dry
    done = await asyncio.to_thread(purge_command, env)
    assert "closed cases (did delete): KZ-BBBB-0001" in done
    with runtime.unit_of_work() as unit:
        assert unit.cases.get("KZ-BBBB-0001") is None
        assert unit.cases.sealed_file("KZ-BBBB-0001", 0) is None


def test_reopening_stops_the_clock_and_closing_twice_does_not_restart_it(database: Engine) -> None:
    sessions = make_sessions(database)
    sealer = AtRestSealer(ServerKeys.generate().at_rest_keys)

    def units() -> SqlUnitOfWork:
        return SqlUnitOfWork(sessions, sealer)

    with units() as unit:
        unit.cases.add("KZ-CCCC-0001", "kz", "low", NOW.date() - 200 * DAY, b"sealed")
        unit.cases.set_status("KZ-CCCC-0001", "closed", NOW.date() - 100 * DAY)
        unit.commit()
    retention = Retention(units, DIRECTORY)
    assert retention.run(NOW).warned == ["KZ-CCCC-0001"]
    with units() as unit:
        unit.cases.set_status("KZ-CCCC-0001", "closed", NOW.date())
        unit.commit()
        assert unit.cases.get("KZ-CCCC-0001").closed_on == NOW.date() - 100 * DAY  # type: ignore[union-attr]
    with units() as unit:
        unit.cases.set_status("KZ-CCCC-0001", "in_progress", NOW.date())
        unit.commit()
    assert retention.run(NOW + 30 * DAY) == retention.run(NOW + 30 * DAY, dry_run=True)
    assert retention.run(NOW + 30 * DAY).purged == []
    with units() as unit:
        unit.cases.set_status("KZ-CCCC-0001", "closed", NOW.date())
        unit.commit()
    assert retention.run(NOW + 30 * DAY).warned == []
    assert retention.run(NOW + 84 * DAY).warned == ["KZ-CCCC-0001"]


# Over the unit of work (in memory and SQLite) ---------------------------------------------------

LEASE = dt.timedelta(seconds=60)


def test_the_warning_goes_to_the_staff_chat_and_the_purge_erases_every_trace(
    units: Units,
) -> None:
    add_case(units, "KZ-PPPP-0001")
    add_case(units, "KZ-PPPP-0002")
    with units() as unit:
        unit.cases.add_sealed_file("KZ-PPPP-0001", 1, b"a note")
        unit.contacts.add_chat("KZ-PPPP-0001", "handle-0f3a", 8_120_554_317, "ru", None)
        unit.contacts.add_code("KZ-PPPP-0002", "lookup", "age1recipient", b"locked", "ru", None)
        unit.contacts.keep_message("KZ-PPPP-0002", b"kept", NOW)
        unit.cases.set_status("KZ-PPPP-0001", "closed", NOW.date() - 83 * DAY)
        unit.cases.set_status("KZ-PPPP-0002", "closed", NOW.date() - 83 * DAY)
        unit.commit()
    retention = Retention(units, DIRECTORY)
    assert retention.run(NOW).warned == ["KZ-PPPP-0001", "KZ-PPPP-0002"]
    with units() as unit:
        warnings = unit.outbox.claim_due(NOW, LEASE)
        unit.commit()
    assert {(d.kind, d.chat_id, d.closed_on) for d in warnings} == {
        ("purge_warning", -5, NOW.date() - 83 * DAY)
    }
    assert retention.run(NOW + 7 * DAY).purged == ["KZ-PPPP-0001", "KZ-PPPP-0002"]
    with units() as unit:
        for reference in ("KZ-PPPP-0001", "KZ-PPPP-0002"):
            assert unit.cases.get(reference) is None
            assert unit.cases.sealed_file(reference, 0) is None
            assert unit.cases.sealed_file(reference, 1) is None
            assert unit.contacts.get(reference) is None
            assert unit.contacts.messages_for(reference) == []
        assert unit.contacts.by_code("lookup") is None
        assert unit.outbox.claim_due(NOW + 8 * DAY, LEASE) == []


def test_a_dry_run_keeps_everything_and_an_open_case_is_never_touched(units: Units) -> None:
    add_case(units, "KZ-DDDD-0001")
    add_case(units, "KZ-DDDD-0002")
    with units() as unit:
        unit.cases.set_status("KZ-DDDD-0001", "closed", NOW.date() - 400 * DAY)
        unit.commit()
    retention = Retention(units, DIRECTORY)
    for day in (0, 7, 14):
        dry = retention.run(NOW + day * DAY, dry_run=True)
        assert (dry.warned, dry.purged) == (["KZ-DDDD-0001"], [])
    with units() as unit:
        assert unit.outbox.claim_due(NOW + 14 * DAY, LEASE) == []
        assert unit.cases.get("KZ-DDDD-0001") is not None
    assert retention.run(NOW).warned == ["KZ-DDDD-0001"]
    assert retention.run(NOW + 7 * DAY).purged == ["KZ-DDDD-0001"]
    with units() as unit:
        assert unit.cases.get("KZ-DDDD-0002") is not None


def test_a_case_of_a_coalition_no_longer_configured_is_kept(units: Units) -> None:
    """No retention period is known for it: deleting it would be a guess."""
    add_case(units, "TJ-GGGG-0001", "tj")
    with units() as unit:
        unit.cases.set_status("TJ-GGGG-0001", "closed", NOW.date() - 4000 * DAY)
        unit.commit()
    retention = Retention(units, DIRECTORY)
    assert retention.run(NOW) == retention.run(NOW + 30 * DAY) == RetentionRound()
    with units() as unit:
        assert unit.cases.get("TJ-GGGG-0001") is not None
