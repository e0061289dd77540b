"""A fresh database for each run of the intake bot: SQLite in the data directory, or PostgreSQL."""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql
from sqlalchemy import create_engine, func, select

from storage.schema import DraftRow

POSTGRES_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
DATABASES = ("sqlite", "postgresql")


@contextlib.contextmanager
def fresh_database(kind: str | None, data_dir: Path) -> Iterator[str | None]:
    if kind is None:
        yield None
        return
    if kind == "sqlite":
        yield f"sqlite:///{data_dir / 'complaint-bot.sqlite3'}"
        return
    name = f"bench_{os.getpid()}_{secrets.token_hex(4)}"
    _admin(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield POSTGRES_URL.format(name=name)
    finally:
        _admin(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _admin(statement: sql.Composed) -> None:
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as connection:
        connection.execute(statement)


@dataclass(frozen=True)
class Contents:
    drafts: int
    size: int


SIZE_QUERIES = {
    "sqlite": "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()",
    "postgresql": "SELECT pg_database_size(current_database())",
}


def contents(url: str) -> Contents:
    """How many drafts the database holds, and its size in bytes."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            drafts = connection.execute(select(func.count()).select_from(DraftRow)).scalar_one()
            size = connection.exec_driver_sql(SIZE_QUERIES[engine.dialect.name]).scalar_one()
    finally:
        engine.dispose()
    return Contents(int(drafts), int(size))
