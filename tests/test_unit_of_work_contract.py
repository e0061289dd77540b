"""The in-memory unit of work keeps the promises of the SQL one, so tests over it mean something."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from storage.audit import AuditEntry, verify_chain
from tests.kit import NOW, Units, add_case

LEASE = dt.timedelta(seconds=60)


def test_nothing_is_kept_unless_committed(units: Units) -> None:
    with units() as unit:
        unit.cases.add("KZ-AAAA-0001", "kz", "high", NOW.date(), b"sealed")
        unit.outbox.enqueue("KZ-AAAA-0001", 0, -100, NOW)
        unit.audit.append(AuditEntry("staff-a", "show", None, None, "refused"), NOW)
        unit.wipes.add(8_120_554_317, [5], NOW, NOW + dt.timedelta(hours=48))
        assert unit.updates.claim(1, NOW)
    with units() as unit:
        assert unit.cases.get("KZ-AAAA-0001") is None
        assert unit.audit.entries() == []
        assert unit.wipes.count() == 0
        assert unit.updates.claim(1, NOW), "the claim was rolled back too"


def test_after_a_commit_the_unit_goes_on_in_a_transaction_of_its_own(units: Units) -> None:
    with units() as unit:
        unit.cases.add("KZ-AAAA-0002", "kz", "high", NOW.date(), b"sealed")
        unit.commit()
        unit.cases.set_status("KZ-AAAA-0002", "closed", NOW.date())
    with units() as unit:
        case = unit.cases.get("KZ-AAAA-0002")
        assert case is not None
        assert case.status == "new", "the change after the commit was not committed"


def test_a_claimed_delivery_is_held_for_its_lease(units: Units) -> None:
    add_case(units, "KZ-AAAA-0003")
    with units() as unit:
        unit.outbox.enqueue("KZ-AAAA-0003", 0, -100, NOW)
        unit.commit()
    with units() as unit:
        (first,) = unit.outbox.claim_due(NOW, LEASE)
        unit.commit()
    with units() as unit:
        assert unit.outbox.claim_due(NOW + LEASE - dt.timedelta(seconds=1), LEASE) == []
        (again,) = unit.outbox.claim_due(NOW + LEASE + dt.timedelta(seconds=1), LEASE)
        unit.outbox.delivered(again.id, NOW + LEASE)
        unit.commit()
    assert (first.id, first.attempts, again.attempts) == (again.id, 1, 2)
    with units() as unit:
        assert unit.outbox.claim_due(NOW + 10 * LEASE, LEASE) == []
        assert unit.outbox.deliveries_of("KZ-AAAA-0003") == 1


def test_the_audit_log_is_a_chain_that_shows_a_change(units: Units) -> None:
    with units() as unit:
        for n in range(3):
            unit.audit.append(AuditEntry("staff-a", "show", f"KZ-AAAA-000{n}", "kz", "done"), NOW)
        unit.commit()
    with units() as unit:
        entries = unit.audit.entries()
    assert [e.seq for e in entries] == [1, 2, 3]
    assert verify_chain(entries, head=entries[-1].digest).intact
    edited = [entries[0], replace(entries[1], action="note"), entries[2]]
    assert verify_chain(edited).problem == "entry 2 was changed"
