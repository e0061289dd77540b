"""The coordination rows replicas share: the leader lease and the send pause (SQLite and
PostgreSQL), and the advisory lock leadership on PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine

from storage.coordination import AdvisoryLeadership, LeaseLeadership, SqlPause
from storage.database import make_sessions

NOW = dt.datetime(2026, 12, 3, 8, 0, tzinfo=dt.UTC)


def test_a_lease_is_held_renewed_and_taken_over_once_it_runs_out(database: Engine) -> None:
    sessions = make_sessions(database)
    clock = [NOW]
    lease = dt.timedelta(seconds=30)
    first = LeaseLeadership(sessions, "a", lease, clock=lambda: clock[0])
    second = LeaseLeadership(sessions, "b", lease, clock=lambda: clock[0])
    assert first.try_lead()
    assert not second.try_lead()
    clock[0] += dt.timedelta(seconds=20)
    assert first.try_lead(), "renewed"
    clock[0] += dt.timedelta(seconds=20)
    assert not second.try_lead(), "the renewal counts from then"
    clock[0] += dt.timedelta(seconds=31)
    assert second.try_lead(), "a dead leader's lease ran out"
    assert not first.try_lead()
    second.resign()
    assert first.try_lead()


def test_the_pause_only_moves_later(database: Engine) -> None:
    pause = SqlPause(make_sessions(database))
    assert pause.until() is None
    pause.pause_until(NOW + dt.timedelta(seconds=10))
    pause.pause_until(NOW + dt.timedelta(seconds=5))
    assert pause.until() == NOW + dt.timedelta(seconds=10)


def test_one_advisory_leader_at_a_time(database: Engine) -> None:
    if database.dialect.name != "postgresql":
        pytest.skip("advisory locks are PostgreSQL's")
    first, second = AdvisoryLeadership(database), AdvisoryLeadership(database)
    try:
        assert first.try_lead()
        assert not second.try_lead()
        assert first.try_lead(), "still held on its own connection"
        first.resign()
        assert second.try_lead()
    finally:
        first.resign()
        second.resign()
