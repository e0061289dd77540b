"""Shared fixtures: databases (SQLite always, PostgreSQL when reachable), server keys."""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from bot.chat.durations import use_timedelta_durations
from bot.config import Settings
from storage.at_rest import AtRestSealer
from storage.database import make_engine, make_sessions
from storage.memory import MemoryStore
from storage.migrate import upgrade_database
from storage.server_keys import ServerKeys
from storage.unit_of_work import SqlUnitOfWork
from tests.e2e import TOKEN, StaffTeam, make_coalitions, settings_for
from tests.kit import Units
from tests.standin import BotApiStandIn

use_timedelta_durations()  # as the CLI does at start
POSTGRES_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
REQUIRE_POSTGRES = os.environ.get("REQUIRE_POSTGRES") == "1"
_postgres_problem: str | None = None


def _postgres_reachable() -> str | None:
    try:
        engine = create_engine(POSTGRES_ADMIN_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("select 1"))
        engine.dispose()
    except OperationalError as error:
        return str(error.orig).strip().splitlines()[0] if error.orig else str(error)
    return None


def pytest_configure(config: pytest.Config) -> None:
    global _postgres_problem
    config.addinivalue_line("markers", "postgres: runs against a real PostgreSQL server")
    _postgres_problem = _postgres_reachable()


def pytest_report_header(config: pytest.Config) -> str:
    if _postgres_problem is None:
        return f"postgresql: {make_url(POSTGRES_ADMIN_URL).render_as_string()}"
    return f"postgresql: NOT reachable ({_postgres_problem}); its tests will be skipped"


@pytest.fixture(scope="session")
def postgres_admin() -> Iterator[Engine]:
    if _postgres_problem is not None:
        if REQUIRE_POSTGRES:
            pytest.fail(f"PostgreSQL is required but not reachable: {_postgres_problem}")
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_ADMIN_URL}: {_postgres_problem}")
    engine = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    yield engine
    engine.dispose()


def _postgres_database(admin: Engine) -> Iterator[str]:
    name = f"complaint_test_{secrets.token_hex(6)}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_ADMIN_URL).set(database=name)
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: os.PathLike[str]) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/complaints.sqlite3"
        return
    admin = request.getfixturevalue("postgres_admin")
    yield from _postgres_database(admin)


@pytest.fixture
def database(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    upgrade_database(engine)
    yield engine
    engine.dispose()


@pytest.fixture(autouse=True)
def _no_leftover_bot_processes() -> Iterator[None]:
    yield
    from tests.e2e import kill_leftovers

    kill_leftovers()


@pytest.fixture
async def standin() -> AsyncIterator[BotApiStandIn]:
    """A Bot API stand-in; any call the spec or Telegram's limits refuse fails the test."""
    async with BotApiStandIn(token=TOKEN) as server:
        yield server
        server.assert_no_violations()


@pytest.fixture
def teams(standin: BotApiStandIn, tmp_path: Path) -> dict[str, StaffTeam]:
    """The coalitions of the tests, their staff chats in the stand-in, their keys."""
    return make_coalitions(standin, tmp_path / "config")[1]


@pytest.fixture
def settings(
    standin: BotApiStandIn, tmp_path: Path, database_url: str, teams: dict[str, StaffTeam]
) -> Settings:
    coalitions = tmp_path / "config" / "coalitions.yaml"
    return settings_for(standin, tmp_path / "data", database_url, coalitions)


@pytest.fixture(params=["memory", "sqlite"])
def units(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Units]:
    """Units of work of the in-memory fake and of SQLite, so a service's unit tests also hold
    the fake to the real repositories (PostgreSQL has its own storage tests)."""
    if request.param == "memory":
        yield MemoryStore().unit_of_work
        return
    engine = make_engine(f"sqlite:///{tmp_path}/units.sqlite3")
    upgrade_database(engine)
    sessions = make_sessions(engine)
    sealer = AtRestSealer(ServerKeys.generate().at_rest_keys)
    yield lambda: SqlUnitOfWork(sessions, sealer)
    engine.dispose()
