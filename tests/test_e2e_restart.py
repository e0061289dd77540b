"""kill -9 at the worst moments: no answer is lost, none is applied twice."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import select

from storage.database import make_engine
from storage.schema import ProcessedUpdate
from tests.e2e import FORM, BotProcess, Complainant, named, person_id
from tests.standin import BotApiStandIn


async def wait_until_committed(database_url: str, update_id: int) -> None:
    engine = make_engine(database_url)
    try:
        for _ in range(200):
            with engine.connect() as connection:
                found = connection.execute(
                    select(ProcessedUpdate.update_id).where(ProcessedUpdate.update_id == update_id)
                ).first()
            if found:
                return
            await asyncio.sleep(0.05)
        raise AssertionError(f"update {update_id} was never committed")
    finally:
        engine.dispose()


async def test_kill_between_commit_and_reply_loses_nothing_and_applies_nothing_twice(
    standin: BotApiStandIn, tmp_path: Path, database_url: str
) -> None:
    user = standin.user(person_id(5_550_001), named("Dilnoza"), language_code="ru")
    person = Complainant(standin, user, "ru", quiet=0.3)
    bot = BotProcess(standin, tmp_path / "data", database_url)
    await bot.start()
    await person.command("start")
    await person.walk(
        {"a_safe_now": "yes", "a_urgent": "no", "b_consent_store": "yes", "r_role": "victim"},
        stop_at="r_name",
    )
    assert person.question_on_screen() == FORM.question("r_name")

    # The answer is committed, but the reply cannot leave and the update is not confirmed.
    standin.pause()
    await user.send_text("Дилноза")
    pending = standin.unconfirmed_update_ids()
    await wait_until_committed(database_url, pending[-1])
    await bot.kill()
    standin.resume()
    assert pending[-1] in standin.unconfirmed_update_ids(), "Telegram will redeliver it"

    await bot.start()
    shown = await person.settle()
    assert person.question_on_screen() == FORM.question("r_country_now"), shown.content

    # Killed right after the user acts, before the bot even fetched the update.
    await user.send_text("Россия")
    await bot.kill()
    await bot.start()
    await person.settle()
    assert person.question_on_screen() == FORM.question("r_own_risk")

    # Killed mid-flow again, then a plain restart.
    await person.choose(FORM.question("r_own_risk"), "yes")
    await bot.kill()
    await bot.start()
    await person.command("start")
    assert person.question_on_screen() == FORM.question("v_sex")
    await person.walk({"e_country": "UZ", "k_contact_way": "none"})
    log = await bot.stop()

    review = user.last_bot_message()
    assert review is not None
    assert "Дилноза" in review.content
    assert person.t.gettext("Russia") in review.content
    assert review.content.count("Дилноза") == 1
    assert "Traceback" not in log
