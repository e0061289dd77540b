"""A complainant's whole path through the real bot, over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest

from bot.config import Settings
from storage.sealing import fingerprint
from tests.e2e import (
    FORM,
    Answer,
    Complainant,
    StaffTeam,
    named,
    plaintext_hits,
    running_bot,
)
from tests.standin import BotApiStandIn

PHOTO = b"\xff\xd8\xff\xe0" + b"bruise photo bytes " * 50
USER_ID = 7_345_112_908
FIRST_NAME = named("Gulnara")
USERNAME = "gulnara_almaty"


@pytest.fixture
async def standin() -> AsyncIterator[BotApiStandIn]:
    async with BotApiStandIn(token="123456789:AAEtesttesttesttesttesttesttest12") as server:
        yield server
        server.assert_no_violations()
        unprotected = [
            c.params.get("text") for c in server.calls
            if c.method in ("sendMessage", "sendDocument", "sendPhoto")
            and int(c.params.get("chat_id", 0)) > 0
            and c.params.get("protect_content") is not True
        ]  # fmt: skip
        assert unprotected == [], "every message to a complainant must be sent with protect_content"


def full_report(language: str) -> dict[str, Answer]:
    narrative = {
        "en": "They came at night, took my brother Timur from home and beat him in the car",
        "ru": "Ночью пришли, забрали брата Тимура из дома и избили его в машине",
    }[language]
    return {
        "a_safe_now": "yes",
        "a_urgent": "no",
        "b_consent_store": "yes",
        "r_role": "relative",
        "r_relation": "sibling",
        "r_name": "Aunt Zhanar Seitkali",
        "v_name": "Timur Seitkaliev",
        "v_age": "24",
        "v_status_now": "detained_known",
        "e_narrative": narrative,
        "e_detained": "yes",
        "e_date": "12.03.2026",
        "e_country": "KZ",
        "e_place": "Almaty, Bostandyk district police station",
        "e_authority": ["police", "plain_clothes"],
        "g_ill_treated": "yes",
        "g_acts": ["beat_hands", "threats"],
        "g_perpetrators": "Captain Nurlanov and two men in plain clothes",
        "h_files": PHOTO,
        "u_risks": ["ongoing", "no_lawyer"],
        "k_contact_way": "lawyer",
        "k_code_word": "apricot-orchard",
    }


TYPED = [
    "Zhanar Seitkali",
    "Timur Seitkaliev",
    "Bostandyk district",
    "Captain Nurlanov",
    "apricot-orchard",
    "брата Тимура",
    "my brother Timur",
]


@pytest.mark.parametrize("language", ["en", "ru"])
async def test_a_relative_reports_a_detention_from_start_to_sent(
    standin: BotApiStandIn, settings: Settings, teams: dict[str, StaffTeam], language: str
) -> None:
    user = standin.user(USER_ID, FIRST_NAME, language_code=language, username=USERNAME)
    person = Complainant(standin, user, language)
    async with running_bot(settings) as runtime:
        first = await person.command("start")
        assert (
            person.t.gettext("Report torture, ill-treatment or arbitrary detention")
            in first.content
        )
        title = person.t.gettext("Before we start")
        section = person.t.gettext(
            "Section {number} of {count}: {title}", number=1, count=10, title=title
        )
        assert section in first.content
        asked = await person.walk(full_report(language))
        assert asked[:4] == ["a_safe_now", "a_urgent", "b_consent_store", "r_role"]
        assert {"r_relation", "g_acts", "h_files"} <= set(asked)

        review = "\n".join(m.content for m in user.visible_messages() if m.from_bot)
        assert person.t.gettext("Please check your report before sending.") in review
        assert "Timur Seitkaliev" in review
        assert "12.03.2026" in review
        assert person.t.gettext("Brother or sister") in review
        assert (
            person.t.gettext("1 file: {names}", names="").split(":")[0] in review or "1" in review
        )

        hits = plaintext_hits(runtime.database, [*TYPED, USER_ID, FIRST_NAME, USERNAME])
        assert hits == []

        kazakhstan = "NGO Coalition against Torture in Kazakhstan"
        destination = person.t.gettext(
            "It will be encrypted so that only {coalition} can read it (key {keys}).",
            coalition=kazakhstan,
            keys=fingerprint(teams["kz"].public_key),
        )
        assert destination in review
        done = await person.press("✅ " + person.t.gettext("Send the report"))
        sent = person.t.gettext(
            "Your report was sealed and sent to {coalition}.", coalition=kazakhstan
        )
        assert sent in done.content
        assert re.search(r"KZ-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}", done.content)


async def test_the_urgent_fast_track_takes_at_most_twelve_prompts(
    standin: BotApiStandIn, settings: Settings
) -> None:
    user = standin.user(USER_ID, FIRST_NAME, language_code="ru")
    person = Complainant(standin, user, "ru")
    script: dict[str, Answer] = {
        "a_safe_now": "yes",
        "a_urgent": "yes",
        "b_consent_store": "yes",
        "r_role": "relative",
        "v_name": "Тимур",
        "e_date": "2026",
        "e_place": "ИВС Алматы",
        "u_risks": ["whereabouts_unknown"],
        "k_contact_way": "phone",
        "k_contact_value": "+7 700 000 00 00",
        "k_code_word": "абрикос",
    }
    async with running_bot(settings):
        await person.command("start", "kz")
        asked = await person.walk(script)
    assert len(asked) <= 12
    assert "e_country" not in asked, "the /start kz link preselects the country"
    review = user.last_bot_message()
    assert review is not None
    assert "➕ " + person.t.gettext("Add more details first") in review.labels


async def test_wrong_input_gets_a_localized_re_prompt_and_loses_nothing(
    standin: BotApiStandIn, settings: Settings
) -> None:
    user = standin.user(USER_ID, FIRST_NAME, language_code="ru")
    person = Complainant(standin, user, "ru")
    t = person.t
    async with running_bot(settings):
        await person.command("start")
        await person.walk({"a_safe_now": "yes", "a_urgent": "no", "b_consent_store": "yes"},
                          stop_at="r_role")  # fmt: skip
        role = FORM.question("r_role")
        await user.send_sticker()
        reply = await person.settle()
        assert t.gettext("Please choose one of the buttons below.") in reply.content
        assert t.gettext(role.text) in reply.content

        await user.send_photo(PHOTO)
        reply = await person.settle()
        assert t.gettext("Please choose one of the buttons below.") in reply.content

        reply = await person.say(t.gettext("A family member or relative"))
        assert person.question_on_screen() == FORM.question("r_relation"), "typed label chooses"

        await person.choose(FORM.question("r_relation"), "parent")
        await person.skip()
        assert person.question_on_screen() == FORM.question("r_country_now")
        reply = await person.say("x" * 20_000)
        assert t.gettext("Please choose one of the buttons below.") in reply.content
        await person.choose(FORM.question("r_country_now"), "RU")

        await person.walk({}, stop_at="v_name")
        reply = await person.say("x" * 20_000)
        assert "20000" in reply.content
        assert person.question_on_screen() == FORM.question("v_name")
        await person.say("Тимур")
        reply = await person.skip()
        assert person.question_on_screen() == FORM.question("v_age")
        reply = await person.say("двадцать")
        assert t.gettext("Please write a number, for example 27.") in reply.content
        reply = await person.say("240")
        assert (
            t.gettext("Please write a number from {min} to {max}.", min=0, max=110) in reply.content
        )
        await person.say("24")

        await person.press("◀️ " + t.gettext("Back"))
        reply = await person.press("◀️ " + t.gettext("Back"))
        assert t.gettext("Current answer: {answer}", answer=t.gettext("skipped")) in reply.content
        reply = await person.press("◀️ " + t.gettext("Back"))
        assert t.gettext("Current answer: {answer}", answer="Тимур") in reply.content
        reply = await person.press(t.gettext("Keep") + " ▶️")
        assert person.question_on_screen() == FORM.question("v_sex")


async def test_forged_and_stale_buttons_are_answered_and_change_nothing(
    standin: BotApiStandIn, settings: Settings
) -> None:
    user = standin.user(USER_ID, FIRST_NAME, language_code="en")
    person = Complainant(standin, user, "en")
    inactive = "This button is no longer active."
    async with running_bot(settings):
        first = await person.command("start")
        await person.choose(FORM.question("a_safe_now"), "yes")
        after_first = user.last_bot_message()
        assert after_first is not None
        for forged in ["q:0:c:yes", "q:99:c:exit", "x" * 64, "q:1:Z", "l:zz", "q:1:c:" + "a" * 41]:
            query_id = await user.press_data(forged, message_id=after_first.message_id)
            await person.settle()
            assert user.callback_answers[query_id] == inactive, forged
        assert person.question_on_screen() == FORM.question("a_urgent")
        await person.choose(FORM.question("a_urgent"), "no")
        assert person.question_on_screen() == FORM.question("b_consent_store")
        query_id = await user.press_data(
            first.callback_data[0][0] or "", message_id=first.message_id
        )
        await person.settle()
        assert user.callback_answers[query_id] == inactive
        assert person.question_on_screen() == FORM.question("b_consent_store")


async def test_language_can_be_changed_mid_way(standin: BotApiStandIn, settings: Settings) -> None:
    user = standin.user(USER_ID, FIRST_NAME, language_code="en")
    person = Complainant(standin, user, "en")
    async with running_bot(settings):
        await person.command("start")
        await person.choose(FORM.question("a_safe_now"), "yes")
        picker = await person.command("language")
        assert "Русский" in picker.labels
        reply = await person.press("Русский")
        person.language = "ru"
        assert person.t.gettext(FORM.question("a_urgent").text) in reply.content


async def test_cancel_discards_the_draft(standin: BotApiStandIn, settings: Settings) -> None:
    user = standin.user(USER_ID, FIRST_NAME, language_code="en")
    person = Complainant(standin, user, "en")
    async with running_bot(settings) as runtime:
        await person.command("start")
        await person.choose(FORM.question("a_safe_now"), "yes")
        reply = await person.command("cancel")
        assert "Your unfinished report has been deleted." in reply.content
        reply = await person.say("hello")
        assert "You have no report in progress." in reply.content
        assert runtime.tidy().drafts == 0


async def test_an_unfinished_draft_survives_a_restart_of_the_bot(
    standin: BotApiStandIn, settings: Settings
) -> None:
    user = standin.user(USER_ID, FIRST_NAME, language_code="ru")
    person = Complainant(standin, user, "ru")
    script = full_report("ru")
    async with running_bot(settings):
        await person.command("start")
        before = await person.walk(script, stop_at="v_name")
    async with running_bot(settings):
        reply = await person.command("start")
        assert person.t.gettext("Welcome back. Here is where you stopped.") in reply.content
        after = await person.walk(script)
    assert before[-1] == "b_victim_knows"
    assert after[0] == "v_name"
    review = "\n".join(m.content for m in user.visible_messages() if m.from_bot)
    assert person.t.gettext("Brother or sister") in review
