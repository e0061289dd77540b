"""A report is packed and sealed before the unit of work that stores it.

On SQLite every unit of work holds the write lock from its start: packing and sealing ten
attachments inside it kept every other complainant's answer waiting for seconds.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sqlite3
import zipfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import IO

from sqlalchemy import func, select

from bot.cases.submission import Submission
from bot.intake.inputs import Choose, Done, Submit
from bot.intake.service import Arrival, IntakeService, Sent
from storage.at_rest import AtRestSealer
from storage.database import make_engine, make_sessions
from storage.migrate import upgrade_database
from storage.schema import DraftFileRow, OutboxRow
from storage.sealing import fingerprint, seal_case
from storage.server_keys import ServerKeys
from storage.spool import seal_spool, spooled
from storage.unit_of_work import SqlUnitOfWork
from tests.e2e import CATALOGS
from tests.forms import form_from
from tests.kit import coalitions

FORM = form_from(
    """
    id: tiny
    version: 1
    fast_track: {when: {q: role, is: never}}
    urgency: {high: 5, medium: 2, rules: []}
    sections:
      - id: A
        title: Only
        questions:
          - {id: role, type: single, choices: roles, required: true, text: "Who?"}
          - {id: scans, type: files, max_files: 3, text: "Files?"}
    choice_lists:
      roles: [{code: victim, label: Victim}, {code: relative, label: Relative}]
    """
)


def test_the_case_is_packed_while_other_writers_can_write(tmp_path: Path) -> None:
    database = tmp_path / "bot.sqlite3"
    engine = make_engine(f"sqlite:///{database}")
    upgrade_database(engine)
    sealer = AtRestSealer(ServerKeys.generate().at_rest_keys)
    sessions = make_sessions(engine)

    def units() -> SqlUnitOfWork:
        return SqlUnitOfWork(sessions, sealer)

    others_could_write: list[bool] = []

    def another_writer_can_write() -> bool:
        other = sqlite3.connect(database, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            return True
        except sqlite3.OperationalError:  # "database is locked"
            return False
        finally:
            other.close()

    @contextlib.contextmanager
    def stream_seal(
        write: Callable[[IO[bytes]], None], recipients: Sequence[str]
    ) -> Iterator[IO[bytes]]:
        with spooled(tmp_path / "spool") as spool:
            write(spool)  # type: ignore[arg-type]
            others_could_write.append(another_writer_can_write())
            with seal_spool(spool, recipients, tmp_path / "spool") as sealed:
                yield sealed

    known = coalitions()
    submission = Submission(
        FORM, known.directory, CATALOGS, seal_case, fingerprint, stream_seal=stream_seal
    )
    intake = IntakeService(FORM, units, submitter=submission)
    scans = [b"%PDF-1.4\n" + os.urandom(1024 * 1024 + n) for n in range(3)]
    intake.begin("h", 1, "en", {}, first_message_id=5, chat_id=77)
    intake.give("h", 2, Choose("victim"))
    for number, scan in enumerate(scans):
        intake.give_file("h", 3 + number, Arrival(scan, f"scan-{number}.pdf", "application/pdf"))
    intake.give("h", 10, Done())
    sent = intake.give("h", 11, Submit())
    assert isinstance(sent, Sent)
    assert sent.receipt is not None
    assert others_could_write == [True], "packed once, with the write lock free"
    with units() as unit:
        sealed = unit.cases.sealed_file(sent.receipt.reference, 0)
    assert sealed is not None
    package = zipfile.ZipFile(io.BytesIO(known.open("kz", sealed)))
    case = json.loads(package.read("case.json"))
    assert case["reference"] == sent.receipt.reference
    assert [package.read(a["path"]) for a in case["attachments"]] == scans
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(OutboxRow)).scalar() == 1
        assert connection.execute(select(func.count()).select_from(DraftFileRow)).scalar() == 0
    assert intake.give("h", 11, Submit()) is not None  # redelivered: nothing stored twice
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(OutboxRow)).scalar() == 1
    engine.dispose()
    assert not any((tmp_path / "spool").iterdir()), "the scratch files are gone"
