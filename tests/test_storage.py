"""The SQL unit of work on SQLite and PostgreSQL."""

import datetime as dt
import io
import secrets

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, func, select, text, update

from storage.at_rest import AtRestSealer
from storage.cases import SEALED_CHUNK
from storage.database import make_engine, make_sessions
from storage.errors import Unreadable
from storage.migrate import alembic_config, upgrade_database
from storage.schema import Base, DraftRow, SealedChunkRow, SealedFileRow
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


def test_a_large_sealed_file_is_stored_and_read_back_in_chunks(database: Engine) -> None:
    """A case with large attachments was one blob, written and read whole in memory."""
    sealed = secrets.token_bytes(2 * SEALED_CHUNK + 12345)
    factory = unit(database)
    with factory as uow:
        uow.cases.add("KZ-CHNK-0001", "kz", "low", NOW.date(), io.BytesIO(sealed))
        uow.cases.add_sealed_file("KZ-CHNK-0001", 1, b"a small note")
        uow.commit()
    with database.connect() as connection:
        sizes = connection.execute(
            select(func.length(SealedChunkRow.data))
            .where(SealedChunkRow.number == 0)
            .order_by(SealedChunkRow.seq)
        ).scalars()
        assert list(sizes) == [SEALED_CHUNK, SEALED_CHUNK, 12345]
    with factory as uow:
        assert uow.cases.sealed_chunks("KZ-CHNK-0001", 0) == 3
        assert uow.cases.sealed_chunk("KZ-CHNK-0001", 0, 2) == sealed[2 * SEALED_CHUNK :]
        assert uow.cases.sealed_chunk("KZ-CHNK-0001", 0, 3) is None
        copied = io.BytesIO()
        assert uow.cases.copy_sealed_file("KZ-CHNK-0001", 0, copied)
        assert copied.getvalue() == sealed
        assert uow.cases.sealed_file("KZ-CHNK-0001", 0) == sealed
        assert uow.cases.sealed_file("KZ-CHNK-0001", 1) == b"a small note"
        assert uow.cases.sealed_chunks("KZ-CHNK-0001", 2) is None
        assert not uow.cases.copy_sealed_file("KZ-CHNK-0001", 2, io.BytesIO())
        uow.cases.purge("KZ-CHNK-0001")
        uow.commit()
    with database.connect() as connection:
        for table in (SealedChunkRow, SealedFileRow):
            assert connection.execute(select(func.count()).select_from(table)).scalar() == 0


def test_sealed_files_stored_before_chunks_are_moved_into_chunks(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        upgrade_database(engine, "0006")
        sealed = secrets.token_bytes(SEALED_CHUNK + 7)
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO cases (reference, coalition_id, status, urgency, received_on) "
                    "VALUES ('KG-OLD0-0001', 'kg', 'new', 'low', '2026-11-01')"
                )
            )
            connection.execute(
                text(
                    "INSERT INTO sealed_files (reference, number, sealed) "
                    "VALUES ('KG-OLD0-0001', 0, :sealed), ('KG-OLD0-0001', 1, :empty)"
                ),
                {"sealed": sealed, "empty": b"note"},
            )
        upgrade_database(engine)
        with SqlUnitOfWork(
            make_sessions(engine), AtRestSealer(ServerKeys.generate().at_rest_keys)
        ) as uow:
            assert uow.cases.sealed_chunks("KG-OLD0-0001", 0) == 2
            assert uow.cases.sealed_file("KG-OLD0-0001", 0) == sealed
            assert uow.cases.sealed_file("KG-OLD0-0001", 1) == b"note"
        command.downgrade(alembic_config(engine), "0006")  # and back, should one have to
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT sealed FROM sealed_files ORDER BY number")
            ).scalars()
            assert [bytes(r) for r in rows] == [sealed, b"note"]
    finally:
        engine.dispose()
