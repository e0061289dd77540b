"""The audit chain and case codes, on their own."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import Engine, delete, update
from sqlalchemy.orm import sessionmaker

from bot.cases.statuses import parse_status
from storage.audit import AuditEntry, AuditRecord, SqlAudit, verify_chain
from storage.case_codes import (
    confirmation_digest,
    confirmation_part,
    derive_code_keys,
    matches_confirmation,
    new_case_code,
    new_code_box,
    normalise_case_code,
    open_code_box,
)
from storage.errors import Unreadable
from storage.schema import AuditRow
from tests.e2e import CATALOGS

NOW = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.UTC)
SALT_KEY = b"k" * 32


def entries(database: Engine) -> list[AuditRecord]:
    with sessionmaker(database)() as session:
        return SqlAudit(session).entries()


def test_concurrent_appends_make_one_unbroken_chain(database: Engine) -> None:
    sessions = sessionmaker(database)

    def write(worker: int) -> None:
        for n in range(10):
            with sessions.begin() as session:
                entry = AuditEntry(f"s-{worker}", "reply", f"KZ-{n:04d}-AAAA", "kz", "done")
                SqlAudit(session).append(entry, NOW + dt.timedelta(seconds=n))

    threads = [threading.Thread(target=write, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    rows = entries(database)
    assert [r.seq for r in rows] == list(range(1, 41))
    assert verify_chain(rows).intact


@pytest.mark.parametrize(
    ("tamper", "problem"),
    [
        ({"actor": "s-someone-else"}, "entry 2 was changed"),
        ({"at": NOW + dt.timedelta(days=1)}, "entry 2 was changed"),
        ({"reference": None}, "entry 2 was changed"),
    ],
)
def test_an_edited_entry_breaks_the_chain(
    database: Engine, tamper: dict[str, object], problem: str
) -> None:
    with sessionmaker(database).begin() as session:
        audit = SqlAudit(session)
        for _ in range(3):
            audit.append(AuditEntry("s-1", "status:closed", "KZ-AAAA-BBBB", "kz", "done"), NOW)
    with database.begin() as connection:
        connection.execute(update(AuditRow).where(AuditRow.seq == 2).values(**tamper))
    assert verify_chain(entries(database)).problem == problem


def test_removing_the_newest_entries_shows_against_a_kept_head(database: Engine) -> None:
    with sessionmaker(database).begin() as session:
        audit = SqlAudit(session)
        for _ in range(3):
            audit.append(AuditEntry("s-1", "list", None, "kz", "done"), NOW)
    head = entries(database)[-1].digest
    with database.begin() as connection:
        connection.execute(delete(AuditRow).where(AuditRow.seq == 3))
    rows = entries(database)
    assert verify_chain(rows).intact
    assert not verify_chain(rows, head).intact


def test_a_case_code_is_read_leniently_and_derives_the_same_keys() -> None:
    code = new_case_code()
    assert normalise_case_code(code.lower().replace("-", " ")) == code
    assert normalise_case_code("ABCD-EFGH-JKMN-PQR") is None
    assert normalise_case_code("ABCD-EFGH-JKMN-PQRU") is None  # U is not Crockford
    keys = derive_code_keys(code, SALT_KEY)
    assert keys == derive_code_keys(normalise_case_code(code.lower()) or "", SALT_KEY)
    assert keys.lookup != derive_code_keys(code, b"x" * 32).lookup
    assert code.encode() not in bytes.fromhex(keys.lookup)


def test_only_the_right_code_opens_its_box() -> None:
    code, other = new_case_code(), new_case_code()
    box = new_code_box(derive_code_keys(code, SALT_KEY))
    assert (
        str(open_code_box(box.locked_identity, derive_code_keys(code, SALT_KEY)).to_public())
        == box.recipient
    )
    with pytest.raises(Unreadable):
        open_code_box(box.locked_identity, derive_code_keys(other, SALT_KEY))


def test_the_confirmation_is_the_codes_end_typed_back() -> None:
    code = "ABCD-EFGH-JKMN-PQRS"
    digest = confirmation_digest(confirmation_part(code))
    assert matches_confirmation(digest, "pqrs")
    assert matches_confirmation(digest, " P Q R S ")
    assert not matches_confirmation(digest, "JKMN")


def test_statuses_are_understood_as_codes_and_as_labels() -> None:
    translators = [CATALOGS.translator(language) for language in CATALOGS.offered]
    assert parse_status("in_progress", translators) == "in_progress"
    assert parse_status("In Progress", translators) == "in_progress"
    assert parse_status(CATALOGS.translator("ru").gettext("closed"), translators) == "closed"
    assert parse_status("finished", translators) is None


def test_a_code_check_costs_microseconds_not_a_slow_kdf() -> None:
    """Argon2id (64 MiB) per /check let 30 wrong codes stall everyone for seconds."""
    import time

    from storage.case_codes import derive_code_keys, new_case_code

    salt_key = b"k" * 32
    codes = [new_case_code() for _ in range(300)]
    started = time.perf_counter()
    keys = [derive_code_keys(code, salt_key) for code in codes]
    assert time.perf_counter() - started < 0.5, "300 derivations well under a second"
    assert len({k.lookup for k in keys}) == 300
    assert derive_code_keys(codes[0], salt_key) == keys[0], "deterministic"
    assert derive_code_keys(codes[0], b"j" * 32).lookup != keys[0].lookup, "keyed"
