"""Back up and restore as docs/operations.md says: pg_dump of the database, the server key kept
apart. A restore with the key brings everything back; without it, drafts and contact links are
lost but every sealed case still opens for its coalition."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from storage.at_rest import AtRestSealer
from storage.database import make_engine, make_sessions
from storage.errors import Unreadable
from storage.migrate import schema_is_current, upgrade_database
from storage.sealing import new_identity, open_case, read_identities, seal_case
from storage.server_keys import ServerKeys
from storage.unit_of_work import SqlUnitOfWork
from tests.conftest import _postgres_database

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(shutil.which("pg_dump") is None, reason="pg_dump is not installed"),
]
NOW = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def two_databases(postgres_admin: Engine) -> Iterator[tuple[str, str]]:
    first, second = _postgres_database(postgres_admin), _postgres_database(postgres_admin)
    yield next(first), next(second)
    for database in (first, second):
        next(database, None)


def libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def test_a_restored_dump_opens_with_the_server_key_and_cases_open_without_it(
    two_databases: tuple[str, str], tmp_path: Path
) -> None:
    source_url, target_url = two_databases
    keys = ServerKeys.generate()
    secret, public = new_identity()
    source = make_engine(source_url)
    upgrade_database(source)
    with SqlUnitOfWork(make_sessions(source), AtRestSealer(keys.at_rest_keys)) as unit:
        unit.cases.add("KZ-7G4M-Q2XD", "kz", "high", NOW.date(), seal_case(b"the case", [public]))
        unit.drafts.put("handle-1", b"an unfinished draft", NOW, dt.timedelta(hours=47))
        unit.commit()
    source.dispose()

    dump = tmp_path / "complaint-bot.dump"
    subprocess.run(["pg_dump", "-Fc", "-f", str(dump), libpq(source_url)], check=True)
    subprocess.run(["pg_restore", "--no-owner", "-d", libpq(target_url), str(dump)], check=True)

    restored = make_engine(target_url)
    try:
        assert schema_is_current(restored)
        sessions = make_sessions(restored)
        with SqlUnitOfWork(sessions, AtRestSealer(keys.at_rest_keys)) as unit:
            assert unit.drafts.get("handle-1", NOW) == b"an unfinished draft"
            sealed = unit.cases.sealed_file("KZ-7G4M-Q2XD", 0)
        assert sealed is not None
        assert open_case(sealed, read_identities(secret.encode())) == b"the case"

        lost = ServerKeys.generate()  # the server key was lost with the server
        with SqlUnitOfWork(sessions, AtRestSealer(lost.at_rest_keys)) as unit:
            with pytest.raises(Unreadable):
                unit.drafts.get("handle-1", NOW)
            sealed = unit.cases.sealed_file("KZ-7G4M-Q2XD", 0)
        assert sealed is not None
        assert open_case(sealed, read_identities(secret.encode())) == b"the case"
    finally:
        restored.dispose()
