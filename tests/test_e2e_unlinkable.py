"""A case-code holder is linked to nothing: not while the code waits to be confirmed, and not
by a stored time that matches the case's to the microsecond."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from bot.config import Settings
from bot.intake import erasure
from storage.schema import DraftRow, OutboxRow, PendingWipeRow
from tests.e2e import Complainant, StaffTeam, every_stored_value, named, person_id, running_bot
from tests.standin import BotApiStandIn
from tests.test_e2e_staff import CODE, says, submit


def stored_times(values: list[tuple[str, str, object]]) -> list[tuple[str, str, dt.datetime]]:
    return [(t, c, v) for t, c, v in values if isinstance(v, dt.datetime)]


async def test_a_waiting_case_code_leaves_no_row_for_the_account_and_times_are_coarse(
    standin: BotApiStandIn, settings: Settings, teams: dict[str, StaffTeam]
) -> None:
    user = standin.user(person_id(5401), named("Zhanna"), language_code="en")
    person = Complainant(standin, user, "en")
    async with running_bot(settings) as runtime:
        await submit(person, "KZ", "case_code", "birch")
        shown = user.last_bot_message()
        assert shown is not None
        found = CODE.search(shown.content)
        assert found is not None
        await standin.wait_idle(quiet=0.3, timeout=20)
        with runtime.database.connect() as connection:
            drafts = connection.execute(select(func.count()).select_from(DraftRow)).scalar_one()
            outbox = connection.execute(select(OutboxRow.created_at, OutboxRow.due_at)).all()
            wipes = connection.execute(select(PendingWipeRow.due_at)).scalars().all()
        waiting_values = every_stored_value(runtime.database)
        done = await says(standin, user, found.group(0).replace("-", "")[-4:])
    assert drafts == 0, "the waiting code is not a stored row keyed by the account"
    assert "/check" in done.content, "and it is still confirmed"
    assert shown.message_id in {m.message_id for m in user.deleted_messages()}
    assert outbox
    assert wipes, "the code message goes within the hour whatever happens"
    for table, column, moment in stored_times(waiting_values):
        if table in ("outbox", "pending_wipes", "processed_updates"):
            assert (moment.minute, moment.second, moment.microsecond) == (0, 0, 0), (table, column)
    exact = [
        (t, c)
        for t, c, v in stored_times(waiting_values)
        if t != "audit_log" and (v.second, v.microsecond) != (0, 0)  # the audit log is staff's
    ]
    assert exact == [], "no exact time could join the case to the account"


async def test_a_case_codes_deletion_is_on_record_before_the_code_is_shown(
    standin: BotApiStandIn, settings: Settings, teams: dict[str, StaffTeam]
) -> None:
    """A bot that stops right after showing the code (before it learns the message's id) still
    deletes it: the ids just after the receipt are scheduled first."""
    user = standin.user(person_id(5402), named("Aisulu"), language_code="en")
    person = Complainant(standin, user, "en")
    async with running_bot(settings) as runtime:
        await submit(person, "KZ", "case_code", "poplar")
        shown = user.last_bot_message()
        assert shown is not None
        assert CODE.search(shown.content) is not None
        await standin.wait_idle(quiet=0.3, timeout=20)
        later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=3)
        with runtime.unit_of_work() as unit:
            scheduled = {i for wipe in unit.wipes.due(later) for i in wipe.message_ids}
    assert shown.message_id in scheduled
    after = set(range(shown.message_id, shown.message_id + erasure.REPLIES_PER_UPDATE - 1))
    assert after <= scheduled, "the ids after the receipt were put on record before sending"
