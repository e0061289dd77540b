"""Outbox claims: a delivery is held by one worker at a time, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import threading

from sqlalchemy import Engine

from storage.at_rest import AtRestSealer
from storage.database import make_sessions
from storage.server_keys import ServerKeys
from storage.unit_of_work import SqlUnitOfWork

NOW = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.UTC)
LEASE = dt.timedelta(seconds=30)


def units(database: Engine) -> SqlUnitOfWork:
    return SqlUnitOfWork(make_sessions(database), AtRestSealer(ServerKeys.generate().at_rest_keys))


def queue(database: Engine, count: int) -> None:
    with units(database) as unit:
        for number in range(count):
            reference = f"KZ-0000-{number:04d}"
            unit.cases.add(reference, "kz", "high", NOW.date(), b"sealed")
            unit.outbox.enqueue(reference, 0, -100, NOW)
        unit.commit()


def test_a_claim_holds_until_its_lease_ends_and_delivered_rows_stay_done(database: Engine) -> None:
    queue(database, 2)
    with units(database) as unit:
        first = unit.outbox.claim_due(NOW, LEASE)
        unit.commit()
    assert len(first) == 2
    with units(database) as unit:
        assert unit.outbox.claim_due(NOW + dt.timedelta(seconds=10), LEASE) == []
        unit.outbox.delivered(first[0].id, NOW)
        unit.commit()
    with units(database) as unit:
        again = unit.outbox.claim_due(NOW + LEASE + dt.timedelta(seconds=1), LEASE)
        unit.commit()
    assert [d.reference for d in again] == [first[1].reference]
    assert again[0].attempts == 2


def test_a_retry_waits_until_it_is_due(database: Engine) -> None:
    queue(database, 1)
    with units(database) as unit:
        (delivery,) = unit.outbox.claim_due(NOW, LEASE)
        unit.outbox.retry_later(delivery.id, NOW + dt.timedelta(minutes=5), "429")
        unit.commit()
    with units(database) as unit:
        assert unit.outbox.claim_due(NOW + dt.timedelta(minutes=4), LEASE) == []
        assert len(unit.outbox.claim_due(NOW + dt.timedelta(minutes=5), LEASE)) == 1
        (state,) = unit.outbox.waiting()
        assert state.last_error == "429"


def test_concurrent_workers_never_claim_the_same_delivery(database: Engine) -> None:
    queue(database, 40)
    claimed: list[list[int]] = []
    start = threading.Barrier(4)

    def worker() -> None:
        start.wait()
        mine: list[int] = []
        while True:
            with units(database) as unit:
                batch = unit.outbox.claim_due(NOW, LEASE, limit=3)
                unit.commit()
            if not batch:
                break
            mine.extend(d.id for d in batch)
        claimed.append(mine)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    everything = [i for mine in claimed for i in mine]
    assert len(everything) == 40
    assert len(set(everything)) == 40
