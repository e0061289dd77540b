"""Language choice through the real bot: the client's language (regional forms too), the picker
with every language by its own name, and /language at any moment, before /start as well."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.config import Settings
from bot.i18n import LANGUAGE_NAMES
from tests.e2e import FORM, Answer, Complainant, named, person_id, running_bot
from tests.standin import BotApiStandIn

ORDER = ["Русский", "Қазақша", "Кыргызча", "Тоҷикӣ", "Oʻzbekcha", "Ўзбекча", "Türkmençe", "English"]


@pytest.fixture
async def standin() -> AsyncIterator[BotApiStandIn]:
    async with BotApiStandIn(token="123456789:AAEtesttesttesttesttesttesttest12") as server:
        yield server
        server.assert_no_violations()


@pytest.mark.parametrize(
    ("language_code", "language"),
    [("uz-UZ", "uz"), ("kk-KZ", "kk"), ("ru-RU", "ru"), ("ky", "ky"), ("tg-TJ", "tg"),
     ("tk", "tk"), ("uz-Cyrl", "uz_Cyrl"), ("de", "ru"), (None, "ru")],
)  # fmt: skip
async def test_the_client_language_greets_in_the_right_language(
    standin: BotApiStandIn, settings: Settings, language_code: str | None, language: str
) -> None:
    user = standin.user(person_id(3301), named("Dilfuza"), language_code=language_code)
    person = Complainant(standin, user, language)
    async with running_bot(settings):
        reply = await person.command("start")
    assert person.t.gettext(FORM.question("a_safe_now").text) in reply.content
    assert person.question_on_screen() == FORM.question("a_safe_now")


async def test_language_before_start_starts_in_the_chosen_language_with_the_notice(
    standin: BotApiStandIn, settings: Settings
) -> None:
    user = standin.user(person_id(3302), named("Oysha"), language_code="de")
    person = Complainant(standin, user, "ru")
    async with running_bot(settings):
        picker = await person.command("language")
        assert picker.labels == ORDER
        assert list(LANGUAGE_NAMES.values()) == ORDER
        reply = await person.press("Ўзбекча")
        person.language = "uz_Cyrl"
        assert person.question_on_screen() == FORM.question("a_safe_now")
        notice = person.t.gettext("Report torture, ill-treatment or arbitrary detention")
        assert notice in reply.content, "a draft started by the picker opens with the welcome"
        # the next step goes on in that language
        reply = await person.choose(FORM.question("a_safe_now"), "yes")
        assert person.question_on_screen() == FORM.question("a_urgent")


async def test_language_mid_way_and_at_the_summary_continues_where_the_person_was(
    standin: BotApiStandIn, settings: Settings
) -> None:
    user = standin.user(person_id(3303), named("Aziza"), language_code="uz-UZ")
    person = Complainant(standin, user, "uz")
    script: dict[str, Answer] = {
        "a_safe_now": "yes",
        "a_urgent": "yes",
        "b_consent_store": "yes",
        "r_role": "relative",
        "v_name": "Timur",
        "u_risks": ["whereabouts_unknown"],
        "e_country": "UZ",
        "k_contact_way": "none",
    }
    async with running_bot(settings):
        await person.command("start")
        await person.choose(FORM.question("a_safe_now"), "yes")
        assert person.question_on_screen() == FORM.question("a_urgent")
        await person.command("language")
        await person.press("Русский")
        person.language = "ru"
        assert person.question_on_screen() == FORM.question("a_urgent")
        await person.walk(script)
        review = user.last_bot_message()
        assert review is not None
        assert "✅ " + person.t.gettext("Send the report") in review.labels
        await person.command("language")
        reply = await person.press("Türkmençe")
        person.language = "tk"
        assert "✅ " + person.t.gettext("Send the report") in reply.labels


async def test_a_draft_language_offers_russian_at_the_start_and_goes_on_in_it(
    standin: BotApiStandIn, settings: Settings
) -> None:
    user = standin.user(person_id(3304), named("Gulbahor"), language_code="tg")
    person = Complainant(standin, user, "tg")
    async with running_bot(settings):
        opening = await person.command("start")
        assert "🌐 Русский" in opening.labels
        reply = await person.press("🌐 Русский")
        person.language = "ru"
        assert person.question_on_screen() == FORM.question("a_safe_now")
        assert "🌐 Русский" not in reply.labels, "said once: not again on the next screens"
        reply = await person.choose(FORM.question("a_safe_now"), "yes")
        assert person.question_on_screen() == FORM.question("a_urgent")
