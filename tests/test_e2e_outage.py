"""Issue 10.6, in polling mode: a press that waited out a database outage longer than Telegram's
window for answering it (~15 s) still moves the person on, once, with nothing lost."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator

from sqlalchemy import create_engine, text

from bot.config import Settings
from tests.e2e import FORM, Complainant, named, person_id, running_bot
from tests.standin import BotApiStandIn


@contextlib.contextmanager
def database_held(url: str) -> Iterator[None]:
    """Another client holds the tables the bot writes, as a stuck migration or a failover would:
    SQLite answers "database is locked", PostgreSQL makes the bot wait."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        if url.startswith("sqlite"):
            connection.exec_driver_sql("BEGIN EXCLUSIVE")
        else:
            connection.exec_driver_sql("BEGIN")
            connection.execute(text("LOCK TABLE processed_updates IN ACCESS EXCLUSIVE MODE"))
        try:
            yield
        finally:
            connection.exec_driver_sql("ROLLBACK")
    engine.dispose()


async def test_a_press_answered_after_telegrams_window_still_shows_the_next_step(
    standin: BotApiStandIn, settings: Settings
) -> None:
    user = standin.user(person_id(6101), named("Dilnoza"), language_code="en")
    person = Complainant(standin, user, "en")
    async with running_bot(settings):
        await person.command("start")
        shown = person.question_on_screen()
        assert shown is not None
        assert shown.type == "single", "a question with buttons"
        label = person.t.gettext(FORM.choices_for(shown)[0].label)
        assert settings.database_url is not None
        with database_held(settings.database_url):
            await user.press(label)
            await asyncio.sleep(1.5)  # the bot has the update and is held by the database
            standin.advance_clock(20)  # past Telegram's window to answer the press
        await standin.wait_for(lambda: person.question_on_screen() not in (None, shown), 30)
        await standin.wait_idle(quiet=0.5, timeout=20)
    assert person.question_on_screen() not in (None, shown), "moved on to the next question"
    assert standin.unconfirmed_update_ids() == [], "the press was confirmed to Telegram once done"
