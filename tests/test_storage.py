"""The SQL unit of work on SQLite and PostgreSQL."""

import datetime as dt

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, select, update

from storage.at_rest import AtRestSealer
from storage.database import make_sessions
from storage.errors import Unreadable
from storage.schema import Base, DraftRow
from storage.server_keys import ServerKeys
from storage.unit_of_work import SqlUnitOfWork

NOW = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(hours=48)


def unit(database: Engine) -> SqlUnitOfWork:
    return SqlUnitOfWork(make_sessions(database), AtRestSealer(ServerKeys.generate().at_rest_keys))


def test_migrations_match_the_models(database: Engine) -> None:
    with database.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def test_a_draft_is_stored_sealed_and_read_back(database: Engine) -> None:
    sessions = make_sessions(database)
    sealer = AtRestSealer(ServerKeys.generate().at_rest_keys)
    with SqlUnitOfWork(sessions, sealer) as uow:
        uow.drafts.put("h1", b"taken from home at night", NOW, DAY)
        uow.commit()
    with SqlUnitOfWork(sessions, sealer) as uow:
        assert uow.drafts.get("h1", NOW) == b"taken from home at night"
    with sessions() as session:
        row = session.scalars(select(DraftRow)).one()
        assert b"taken" not in row.sealed
        assert row.expires_at == NOW + DAY


def test_uncommitted_work_is_rolled_back(database: Engine) -> None:
    factory = unit(database)
    with factory as uow:
        uow.drafts.put("h1", b"x", NOW, DAY)
        assert uow.updates.claim(1, NOW)
    with factory as uow:
        assert uow.drafts.get("h1", NOW) is None
        assert uow.updates.claim(1, NOW)


def test_an_update_is_claimed_once(database: Engine) -> None:
    factory = unit(database)
    with factory as uow:
        assert uow.updates.claim(42, NOW)
        uow.commit()
    with factory as uow:
        assert not uow.updates.claim(42, NOW)
        assert uow.updates.forget_before(NOW + dt.timedelta(seconds=1)) == 1
        uow.commit()
    with factory as uow:
        assert uow.updates.claim(42, NOW)


def test_a_sealed_draft_copied_to_another_row_does_not_open(database: Engine) -> None:
    sessions = make_sessions(database)
    sealer = AtRestSealer(ServerKeys.generate().at_rest_keys)
    with SqlUnitOfWork(sessions, sealer) as uow:
        uow.drafts.put("victim", b"secret", NOW, DAY)
        uow.drafts.put("other", b"mine", NOW, DAY)
        uow.commit()
    with sessions.begin() as session:
        stolen = session.scalars(select(DraftRow.sealed).where(DraftRow.handle == "victim")).one()
        session.execute(update(DraftRow).where(DraftRow.handle == "other").values(sealed=stolen))
    with SqlUnitOfWork(sessions, sealer) as uow, pytest.raises(Unreadable):
        uow.drafts.get("other", NOW)


def test_expired_drafts_are_invisible_then_purged_with_their_files(database: Engine) -> None:
    factory = unit(database)
    with factory as uow:
        uow.drafts.put("old", b"old", NOW - DAY, DAY)
        uow.drafts.add_file("old", "f1", b"photo")
        uow.drafts.put("new", b"new", NOW, DAY)
        uow.commit()
    with factory as uow:
        assert uow.drafts.get("old", NOW) is None
        assert uow.drafts.get_file("old", "f1") == b"photo"
        assert uow.drafts.purge_expired(NOW) == 1
        uow.commit()
    with factory as uow:
        assert uow.drafts.get_file("old", "f1") is None
        assert uow.drafts.get("new", NOW) == b"new"


def test_a_file_belongs_to_its_draft_only(database: Engine) -> None:
    factory = unit(database)
    with factory as uow:
        uow.drafts.put("a", b"a", NOW, DAY)
        uow.drafts.add_file("a", "f1", b"bytes of a photo")
        uow.commit()
    with factory as uow:
        assert uow.drafts.get_file("a", "f1") == b"bytes of a photo"
        assert uow.drafts.get_file("b", "f1") is None
        uow.drafts.delete("a")
        uow.commit()
    with factory as uow:
        assert uow.drafts.get_file("a", "f1") is None
