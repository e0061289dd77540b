"""Suspected weak spots, checked through Telegram: another bot in a staff group, presses on
messages the bot can no longer see, what /delete leaves in the outbox."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from bot.config import Settings
from storage.schema import OutboxRow
from tests.e2e import Complainant, StaffTeam, named, person_id, running_bot, sealed_files
from tests.standin import BotApiStandIn
from tests.test_e2e_staff import card_of, says, staff_says, submit


async def test_a_reply_to_another_bots_look_alike_prompt_is_not_relayed(
    standin: BotApiStandIn, settings: Settings, teams: dict[str, StaffTeam]
) -> None:
    team = teams["kz"]
    user = standin.user(person_id(5301), named("Aida"), language_code="en")
    person = Complainant(standin, user, "en")
    other_bot = standin.user(7_700_000_001, "Helper bot", username="helper_bot", is_bot=True)
    async with running_bot(settings) as runtime:
        reference = await submit(person, "KZ", "bot_chat", "willow")
        await standin.wait_for(lambda: len(sealed_files(team)) == 1, 20)
        fake = await other_bot.send_text(
            f"↩️ {reference}\nWrite your message to the complainant as a reply.", chat=team.chat
        )
        said = "Tell us where you live now."
        await team.member.send_text(said, chat=team.chat, reply_to=fake)
        await standin.wait_idle(quiet=0.3, timeout=20)
        with runtime.database.connect() as connection:
            relays = connection.execute(select(OutboxRow.id).where(OutboxRow.kind == "relay")).all()
    assert relays == []
    assert not any(said in m.content for m in user.visible_messages())


async def test_presses_on_messages_the_bot_cannot_see_are_answered_once_and_fail_nothing(
    standin: BotApiStandIn,
    settings: Settings,
    teams: dict[str, StaffTeam],
    caplog: pytest.LogCaptureFixture,
) -> None:
    team = teams["kg"]
    user = standin.user(person_id(5302), named("Bakyt"), language_code="en")
    person = Complainant(standin, user, "en")
    caplog.set_level(logging.INFO)
    async with running_bot(settings):
        reference = await submit(person, "KG", "bot_chat", "maple")
        await standin.wait_for(lambda: len(sealed_files(team)) == 1, 20)
        card = card_of(team, reference)
        await person.command("start")
        shown = user.chat.newest_keyboard_message()
        assert shown is not None
        step = shown.data["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        queries = [
            await team.member.press_inaccessible(
                f"s:ack:{reference}", card.message_id, chat=team.chat
            ),
            await team.member.press_inaccessible(
                f"s:reply:{reference}", card.message_id, chat=team.chat
            ),
            await user.press_inaccessible(f"a:{reference}", 1),
            await team.member.press_inaccessible(
                f"s:mine:{reference}", card.message_id, chat=team.chat
            ),
            await user.press_inaccessible(step, shown.message_id),
            await user.press_inaccessible("l:ru", shown.message_id),
        ]
        await standin.wait_idle(quiet=0.5, timeout=20)
    answered = {**team.member.callback_answers, **user.callback_answers}
    assert set(queries) <= set(answered), "each press answered"
    calls = [c.params["callback_query_id"] for c in standin.calls_of("answerCallbackQuery")]
    assert all(calls.count(q) == 1 for q in queries), "answered once: no retry of the update"
    assert not [r for r in caplog.records if "failed" in r.getMessage()]


async def test_delete_leaves_no_relay_of_the_case_in_the_outbox_delivered_or_not(
    standin: BotApiStandIn, settings: Settings, teams: dict[str, StaffTeam]
) -> None:
    team = teams["tj"]
    user = standin.user(person_id(5303), named("Shirin"), language_code="en")
    person = Complainant(standin, user, "en")
    async with running_bot(settings) as runtime:
        reference = await submit(person, "TJ", "bot_chat", "cedar")
        await standin.wait_for(lambda: len(sealed_files(team)) == 1, 20)
        said = "We received your report."
        await staff_says(standin, team, f"/reply {reference} {said}")
        await user.wait_for_bot_message(timeout=20, predicate=lambda m: said in m.content)
        await standin.wait_idle(quiet=0.3, timeout=20)
        with runtime.database.connect() as connection:
            before = connection.execute(
                select(OutboxRow.delivered_at).where(OutboxRow.kind == "relay")
            ).all()
        await says(standin, user, f"/delete {reference}")
        with runtime.database.connect() as connection:
            after = connection.execute(
                select(OutboxRow.id, OutboxRow.created_at).where(OutboxRow.kind == "relay")
            ).all()
    assert len(before) == 1
    assert before[0][0] is not None, "the relay was delivered"
    assert after == [], "no row (and no exact time) left of the coalition's messages"
