"""What a searched phone would show: answers leave the chat once stored; /exit leaves nothing."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select, update

from bot.config import Settings
from storage.schema import DraftRow
from storage.sealing import open_case, read_identities
from tests.e2e import (
    Answer,
    Complainant,
    StaffTeam,
    make_coalitions,
    named,
    person_id,
    running_bot,
    sealed_files,
    settings_for,
)
from tests.standin import ApiError, BotApiStandIn
from tests.test_e2e_staff import CODE, says, staff_says, submit

SECRET_NAME = "Rustam Karimov"
SECRET_PLACE = "Bukhara SIZO number 4"


def fast_track(**extra: Answer) -> dict[str, Answer]:
    return {
        "a_safe_now": "yes",
        "a_urgent": "yes",
        "b_consent_store": "yes",
        "r_role": "relative",
        "v_name": SECRET_NAME,
        "e_country": "UZ",
        "e_place": SECRET_PLACE,
        "k_contact_way": "none",
        **extra,
    }


def shown_text(person: Complainant) -> str:
    return "\n".join(m.content for m in person.user.visible_messages())


async def test_each_typed_answer_leaves_the_chat_once_stored(
    standin: BotApiStandIn, settings: Settings
) -> None:
    user = standin.user(person_id(901), named("Lola"), language_code="ru")
    person = Complainant(standin, user, "ru")
    async with running_bot(settings):
        await person.command("start")
        await person.walk(fast_track(), stop_at="e_date")
        assert SECRET_NAME not in shown_text(person)
        assert all(m.from_bot for m in user.visible_messages() if m.text != "/start")


async def test_after_sending_only_a_neutral_confirmation_remains(
    standin: BotApiStandIn, settings: Settings
) -> None:
    user = standin.user(person_id(902), named("Lola"), language_code="ru")
    person = Complainant(standin, user, "ru")
    async with running_bot(settings):
        await person.command("start")
        await person.walk(fast_track())
        assert SECRET_NAME in shown_text(person), "the summary shows the answers before sending"
        await person.press("✅ " + person.t.gettext("Send the report"))
        await person.settle()
    remaining = user.visible_messages()
    assert len(remaining) == 1
    assert remaining[0].from_bot
    assert SECRET_NAME not in remaining[0].content
    assert SECRET_PLACE not in remaining[0].content
    assert "UZ-" in remaining[0].content


async def test_exit_wipes_the_whole_conversation_at_once(
    standin: BotApiStandIn, settings: Settings
) -> None:
    user = standin.user(person_id(903), named("Lola"), language_code="ru")
    person = Complainant(standin, user, "ru")
    async with running_bot(settings) as runtime:
        await person.command("start")
        await person.walk(fast_track(), stop_at="e_date")
        await user.send_text("не отправится")
        await person.settle()
        await user.send_command("exit")
        await standin.wait_idle(quiet=0.2)
        assert user.visible_messages() == []
        handle = runtime.handle_of(user.user_id)
        assert type(runtime.service.current(handle)).__name__ == "NoDraft"


async def test_the_safety_question_closes_everything_when_it_is_not_safe(
    standin: BotApiStandIn, settings: Settings
) -> None:
    user = standin.user(person_id(904), named("Lola"), language_code="en")
    person = Complainant(standin, user, "en")
    async with running_bot(settings):
        await person.command("start")
        await user.press(person.t.gettext("No, close this now"))
        await standin.wait_idle(quiet=0.2)
    assert user.visible_messages() == []


async def test_a_failed_wipe_is_retried(standin: BotApiStandIn, settings: Settings) -> None:
    user = standin.user(person_id(905), named("Lola"), language_code="ru")
    person = Complainant(standin, user, "ru")
    async with running_bot(settings):
        await person.command("start")
        await person.walk(fast_track(), stop_at="e_date")
        standin.fail_next("deleteMessages", ApiError(500, "Internal Server Error"))
        await user.send_command("exit")
        await standin.wait_for(lambda: user.visible_messages() == [], timeout=20)
    statuses = [c.status for c in standin.calls_of("deleteMessages")]
    assert 500 in statuses
    assert statuses[-1] == 200


async def test_delete_with_a_reference_tells_the_coalition_in_a_sealed_notice(
    standin: BotApiStandIn, tmp_path: Path, database_url: str
) -> None:
    """Only the account the case is linked to withdraws it, once; a stranger who learned the
    reference, however often they try, sends nothing and is told the same."""
    coalitions, teams = make_coalitions(standin, tmp_path / "config")
    settings = settings_for(standin, tmp_path / "data", database_url, coalitions)
    user = standin.user(person_id(906), named("Lola"), language_code="ru")
    stranger = standin.user(person_id(926), named("Timur"), language_code="ru")
    person = Complainant(standin, user, "ru")
    prober = Complainant(standin, stranger, "ru")
    async with running_bot(settings):
        await person.command("start")
        await person.walk(fast_track(k_contact_way="bot_chat"))
        done = await person.press("✅ " + person.t.gettext("Send the report"))
        reference = next(w for w in done.content.split() if w.startswith("UZ-")).rstrip(".")
        for _ in range(5):
            await stranger.send_command("delete", reference)
            probed = await prober.settle()
        await user.send_command("delete", reference.lower())
        reply = await person.settle()
        await user.send_command("delete", reference)
        again = await person.settle()
        await user.send_command("delete", "UZ-0000-0000")
        other = await person.settle()
        await standin.wait_for(lambda: len(teams["uz"].chat.messages) == 4, 20)
        await standin.wait_idle(quiet=0.3)
    assert reply.content == other.content == again.content == probed.content
    assert [m for m in user.visible_messages() if m.content.startswith("/delete")] == []
    names = [m.document_name for m in teams["uz"].chat.messages]
    assert names == [
        f"{reference}.age.minisig",
        f"{reference}.age",
        f"{reference}-1.age.minisig",
        f"{reference}-1.age",
    ], "one notice, from the complainant"
    notice = teams["uz"].chat.messages[3]
    assert notice.document is not None
    package = open_case(notice.document, read_identities(teams["uz"].identity.encode()))
    content = json.loads(zipfile.ZipFile(io.BytesIO(package)).read("notice.json"))
    assert (content["kind"], content["reference"]) == ("consent_withdrawn", reference)


async def test_delete_without_a_reference_erases_the_draft_and_the_chat(
    standin: BotApiStandIn, settings: Settings
) -> None:
    user = standin.user(person_id(907), named("Lola"), language_code="en")
    person = Complainant(standin, user, "en")
    async with running_bot(settings) as runtime:
        await person.command("start")
        await person.walk(fast_track(), stop_at="e_date")
        await user.send_command("delete")
        await person.settle()
        await standin.wait_idle(quiet=0.3)
        remaining = user.visible_messages()
        assert len(remaining) == 1
        assert "every link the bot kept between your Telegram account" in remaining[0].content
        handle = runtime.handle_of(user.user_id)
        assert type(runtime.service.current(handle)).__name__ == "NoDraft"


async def test_typing_the_exit_answer_also_closes_everything(
    standin: BotApiStandIn, settings: Settings
) -> None:
    user = standin.user(person_id(908), named("Lola"), language_code="ru")
    person = Complainant(standin, user, "ru")
    async with running_bot(settings):
        await person.command("start")
        await user.send_text(person.t.gettext("No, close this now"))
        await standin.wait_idle(quiet=0.3)
    assert user.visible_messages() == []


async def test_files_too_large_or_of_unknown_kinds_get_a_clear_answer(
    standin: BotApiStandIn, settings: Settings
) -> None:
    user = standin.user(person_id(909), named("Lola"), language_code="en")
    person = Complainant(standin, user, "en")
    async with running_bot(settings):
        await person.command("start")
        await user.send_document(b"\0" * (20 * 1024 * 1024 + 1), "scan.pdf", "application/pdf")
        big = await person.settle()
        await user.send_document(b"MZ\x90\x00" * 50, "setup.exe", "application/x-msdownload")
        odd = await person.settle()
    assert "larger than 20 MB" in big.content
    assert "This file was not saved" in odd.content
    assert (
        person.t.gettext("Are you in a safe place, where no one can see your screen?")
        in odd.content
    )


async def test_drafts_past_their_lifetime_are_gone_from_the_database(
    standin: BotApiStandIn, settings: Settings
) -> None:
    user = standin.user(person_id(910), named("Lola"), language_code="en")
    person = Complainant(standin, user, "en")
    async with running_bot(settings) as runtime:
        await person.command("start")
        with runtime.database.begin() as connection:
            connection.execute(update(DraftRow).values(expires_at=datetime.now(UTC)))
        assert runtime.tidy().drafts == 1
        with runtime.database.connect() as connection:
            assert connection.execute(select(func.count()).select_from(DraftRow)).scalar_one() == 0
        reply = await person.say("hello")
    assert "You have no report in progress." in reply.content


async def test_an_abandoned_conversation_is_deleted_when_its_draft_expires(
    standin: BotApiStandIn, settings: Settings
) -> None:
    user = standin.user(person_id(911), named("Lola"), language_code="ru")
    person = Complainant(standin, user, "ru")
    async with running_bot(settings) as runtime:
        await person.command("start")
        await person.walk(fast_track(), stop_at="e_date")
        await user.send_text("не по теме")
        await person.settle()
        assert user.visible_messages()
        with runtime.database.begin() as connection:
            connection.execute(update(DraftRow).values(expires_at=datetime.now(UTC)))
        assert runtime.tidy().drafts == 1
        await standin.wait_for(lambda: user.visible_messages() == [], timeout=20)


async def test_a_case_code_withdraws_its_case_once_and_a_stranger_learns_nothing(
    standin: BotApiStandIn, settings: Settings, teams: dict[str, StaffTeam]
) -> None:
    """Issue 10.3: a case sent the case-code way is linked to no account, so its code (and only
    its code) withdraws it: one notice, after which the code no longer works."""
    team = teams["kz"]
    user = standin.user(person_id(908), named("Madina"), language_code="ru")
    stranger = standin.user(person_id(928), named("Ruslan"), language_code="ru")
    person = Complainant(standin, user, "ru")
    t = person.t
    async with running_bot(settings):
        reference = await submit(person, "KZ", "case_code", "ива")
        shown = user.last_bot_message()
        assert shown is not None
        found = CODE.search(shown.content)
        assert found is not None
        code = found.group(0)
        await says(standin, user, code.replace("-", "")[-4:])
        await standin.wait_for(lambda: len(sealed_files(team)) == 1, 20)
        await staff_says(standin, team, f"/reply {reference} Мы получили ваше сообщение.")
        guessed = await says(standin, stranger, "/delete ZZZZ-ZZZZ-ZZZZ-ZZZZ")
        withdrawn = await says(standin, user, f"/delete {code.lower()}")
        again = await says(standin, user, f"/delete {code}")
        checked = await says(standin, user, f"/check {code}")
        await standin.wait_for(lambda: len(sealed_files(team)) >= 2, 20)
        await standin.wait_idle(quiet=0.5, timeout=20)
    assert withdrawn.content == again.content == guessed.content, "the same words for any code"
    assert "код больше не действует" in withdrawn.content
    assert checked.content == t.gettext("No report matches this code. Check it and try again.")
    assert not any(code in m.content for m in user.visible_messages()), "the code left the chat"
    assert not any(code.lower() in m.content for m in user.visible_messages())
    names = [m.document_name for m in sealed_files(team)]
    assert names == [f"{reference}.age", f"{reference}-1.age"], "one notice, and only once"
    package = open_case(
        sealed_files(team)[1].document or b"", read_identities(team.identity.encode())
    )
    notice = json.loads(zipfile.ZipFile(io.BytesIO(package)).read("notice.json"))
    assert (notice["kind"], notice["by"], notice["reference"]) == (
        "consent_withdrawn",
        "case_code",
        reference,
    )


async def test_a_mistyped_delete_argument_deletes_nothing_and_says_so(
    standin: BotApiStandIn, settings: Settings
) -> None:
    user = standin.user(person_id(909), named("Nodira"), language_code="en")
    person = Complainant(standin, user, "en")
    async with running_bot(settings) as runtime:
        await person.command("start")
        await person.walk(fast_track(), stop_at="e_date")
        answered = person.question_on_screen()
        await user.send_command("delete", "KZ-7G4M-Q2X")  # one character short
        said = await person.settle()
        handle = runtime.handle_of(user.user_id)
        current = runtime.service.current(handle)
    assert said.content.startswith("Nothing was deleted")
    assert type(current).__name__ != "NoDraft", "the unfinished answers are kept"
    assert answered is not None
    asked = person.t.gettext(answered.text)
    assert any(asked in m.content for m in user.visible_messages()), "the question stays"
    assert not [m for m in user.visible_messages() if m.content.startswith("/delete")]
