"""Staff and complainants talk through the bot: replies, answers, case codes, refusals, audit."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, delete, select, update

from bot.cli import main as cli
from bot.config import Settings
from bot.desk import open_sealed_file
from storage.audit import AuditRecord, verify_chain
from storage.case_codes import normalise_case_code
from storage.schema import AuditRow, CaseContactRow, CaseRow, OutboxRow, SealedFileRow
from storage.sealing import CaseUnopenable, open_case, read_identities
from tests.e2e import (
    CATALOGS,
    Complainant,
    StaffTeam,
    named,
    person_id,
    plaintext_hits,
    running_bot,
    sealed_files,
)
from tests.standin import BotApiStandIn, SimUser
from tests.standin.views import MessageView
from tests.test_e2e_cases import report

REFERENCE = re.compile(r"\b[A-Z]{2}-[0-9A-Z]{4}-[0-9A-Z]{4}\b")
CODE = re.compile(r"\b[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}\b")
STAFF = CATALOGS.translator("ru")  # the test coalitions' staff language (the default)


async def submit(person: Complainant, country: str, way: str, word: str | None) -> str:
    script = report(country, f"Taken from home in {country} by men without uniform")
    script["k_contact_way"] = way
    if word is not None:
        script["k_code_word"] = word
    await person.command("start")
    await person.walk(script)
    await person.press("✅ " + person.t.gettext("Send the report"))
    sent = [m for m in person.user.visible_messages() if m.from_bot and REFERENCE.search(m.content)]
    found = REFERENCE.search(sent[-1].content)
    assert found is not None
    return found.group(0)


async def staff_says(standin: BotApiStandIn, team: StaffTeam, text: str) -> MessageView:
    return await says(standin, team.member, text, team)


async def says(
    standin: BotApiStandIn, user: SimUser, text: str, team: StaffTeam | None = None
) -> MessageView:
    """`user` sends `text` (in the staff chat of `team`, or privately); the bot's answer."""
    chat = team.chat if team is not None else None
    target = chat.chat if chat is not None else user.chat
    before = sum(1 for event in target.bot_events if event.kind == "new")
    await user.send_text(text, chat=chat)
    await standin.wait_for(
        lambda: sum(1 for event in target.bot_events if event.kind == "new") > before, 30
    )
    await standin.wait_idle(quiet=0.1, timeout=30)
    answer = user.last_bot_message(chat=chat)
    assert answer is not None
    return answer


def card_of(team: StaffTeam, reference: str) -> MessageView:
    return next(m for m in sealed_files(team) if m.document_name == f"{reference}.age")


def opened_file(team: StaffTeam, message: MessageView) -> dict[str, Any]:
    assert message.document is not None
    package = open_case(message.document, read_identities(team.identity.encode()))
    archive = zipfile.ZipFile(io.BytesIO(package))
    found: dict[str, Any] = json.loads(archive.read("message.json"))
    found["_files"] = {name: archive.read(name) for name in archive.namelist()}
    return found


def case_row(database: Engine, reference: str) -> tuple[str, str | None]:
    with database.connect() as connection:
        row = connection.execute(
            select(CaseRow.status, CaseRow.assignee).where(CaseRow.reference == reference)
        ).one()
    return row[0], row[1]


def counts(database: Engine) -> tuple[int, int, int]:
    with database.connect() as connection:
        outbox = len(connection.execute(select(OutboxRow.id)).all())
        files = len(connection.execute(select(SealedFileRow.number)).all())
        statuses = connection.execute(select(CaseRow.status, CaseRow.assignee)).all()
    return outbox, files, hash(tuple(sorted(map(tuple, statuses))))


def t_ru(text: str, **params: object) -> str:
    return STAFF.gettext(text, **params)


async def test_a_staff_reply_reaches_a_notified_complainant_and_their_answer_comes_back_sealed(
    standin: BotApiStandIn, settings: Settings, teams: dict[str, StaffTeam], tmp_path: Path
) -> None:
    team = teams["kz"]
    user = standin.user(person_id(4101), named("Aigul"), language_code="en")
    person = Complainant(standin, user, "en")
    async with running_bot(settings) as runtime:
        reference = await submit(person, "KZ", "bot_chat", "sunflower")
        await standin.wait_for(lambda: len(sealed_files(team)) == 1, 20)
        card = card_of(team, reference)
        assert card.labels == [
            "👁 " + t_ru("Acknowledge"),
            "🙋 " + t_ru("Assign to me"),
            "↩️ " + t_ru("Reply"),
        ]

        await team.member.press("🙋 " + t_ru("Assign to me"), chat=team.chat)
        await standin.wait_idle(quiet=0.1, timeout=20)
        assert case_row(runtime.database, reference) == ("in_progress", runtime.pseudonym_of(
            team.member.user_id))  # fmt: skip

        said = "We have found a lawyer for your brother. Can he call you tomorrow?"
        answer = await staff_says(standin, team, f"/reply {reference} {said}")
        assert reference in answer.content
        relayed = await user.wait_for_bot_message(timeout=20, predicate=lambda m: said in m.content)
        assert team.name in relayed.content
        assert "sunflower" in relayed.content
        assert relayed.protect_content
        assert relayed.labels == ["✍️ " + person.t.gettext("Answer")]
        assert all(said not in m.content for m in team.chat.messages if not m.from_bot)

        chatter = "Between us: the family seems scared, let's go slowly."
        await team.member.send_text(chatter, chat=team.chat, reply_to=card.message_id)
        await team.member.press("↩️ " + t_ru("Reply"), chat=team.chat, message_id=card.message_id)
        staff_prompt = await team.member.wait_for_bot_message(
            timeout=10, chat=team.chat, predicate=lambda m: m.content.startswith("↩️")
        )
        assert reference in staff_prompt.content
        second_said = "Please also tell us which hospital."
        await team.member.send_text(second_said, chat=team.chat, reply_to=staff_prompt.message_id)
        await standin.wait_for(
            lambda: any(second_said in m.content for m in user.visible_messages()), 20
        )
        second_relay = next(m for m in user.visible_messages() if second_said in m.content)
        assert "sunflower" in second_relay.content
        await standin.wait_idle(quiet=0.2, timeout=20)
        assert all(chatter not in m.content for m in user.visible_messages())

        await user.press("✍️ " + person.t.gettext("Answer"), message_id=relayed.message_id)
        prompt = await user.wait_for_bot_message(
            timeout=10, predicate=lambda m: m.content.startswith("✍️")
        )
        words = "Yes, tomorrow after six. He was moved to the city hospital."
        mine = await user.send_text(words, reply_to=prompt.message_id)
        await standin.wait_for(lambda: len(sealed_files(team)) == 2, 20)
        photo = b"\xff\xd8\xff\xe0" + b"bruises on the arm " * 50
        shot = await user.send_photo(photo, caption="his arm", reply_to=relayed.message_id)
        await standin.wait_for(lambda: len(sealed_files(team)) == 3, 20)
        await standin.wait_idle(quiet=0.2, timeout=20)

        first, second = (m for m in sealed_files(team) if m.document_name != f"{reference}.age")
        assert first.document_name == f"{reference}-1.age"
        assert second.document_name == f"{reference}-2.age"
        message = opened_file(team, first)
        assert message["text"] == words
        assert message["kind"] == "complainant_message"
        assert message["reference"] == reference
        with_photo = opened_file(team, second)
        assert with_photo["text"] == "his arm"
        assert photo in with_photo["_files"].values()
        (recorded,) = with_photo["attachments"]
        assert with_photo["_files"][recorded["path"]] == photo
        key = tmp_path / "staff-key.txt"
        key.write_text(team.identity + "\n", encoding="utf-8")
        sealed_path = tmp_path / (second.document_name or "")
        sealed_path.write_bytes(second.document or b"")
        desk = open_sealed_file(sealed_path, key, tmp_path / "desk", lambda: "")
        assert (desk.reference, desk.files_checked, desk.read_first) == (
            reference,
            1,
            "message.json",
        )
        assert first.document is not None
        with pytest.raises(CaseUnopenable):
            open_case(first.document, read_identities(teams["kg"].identity.encode()))
        gone = {m.message_id for m in user.deleted_messages()}
        assert {mine, shot, prompt.message_id} <= gone
        assert words not in " ".join(m.content for m in user.visible_messages())

        now = dt.datetime.now(dt.UTC)
        with runtime.unit_of_work() as unit:
            soon = {i for w in unit.wipes.due(now + dt.timedelta(hours=1)) for i in w.message_ids}
            later = [
                w for w in unit.wipes.due(now + dt.timedelta(hours=25)) if w.chat_id == user.chat_id
            ]
        assert relayed.message_id not in soon
        scheduled = {i for w in later for i in w.message_ids}
        assert {relayed.message_id, second_relay.message_id} <= scheduled
        assert (
            person.t.gettext("This message is deleted from this chat after 24 hours.")
            in relayed.content
        )

        status = await says(standin, user, "/status")
        assert reference in status.content
        assert person.t.gettext("in progress") in status.content

        secrets = [
            said,
            words,
            "sunflower",
            "bruises on the arm",
            user.user_id,
            user.user["first_name"],
        ]
        assert plaintext_hits(runtime.database, secrets) == []


async def test_a_case_code_reads_replies_and_wrong_codes_learn_nothing_and_slow_down(
    standin: BotApiStandIn, settings: Settings, teams: dict[str, StaffTeam]
) -> None:
    team = teams["kg"]
    user = standin.user(person_id(4201), named("Bakyt"), language_code="ru")
    person = Complainant(standin, user, "ru")
    t = person.t
    async with running_bot(settings) as runtime:
        reference = await submit(person, "KG", "case_code", "чайка")
        shown = user.last_bot_message()
        assert shown is not None
        found = CODE.search(shown.content)
        assert found is not None
        code = found.group(0)
        assert shown.protect_content

        wrong = await says(standin, user, "XXXX")
        assert "XXXX" not in wrong.content
        assert wrong.content == t.gettext(
            "That does not match. Type the last four characters of the case code shown above."
        )
        assert shown.message_id in {m.message_id for m in user.visible_messages()}
        done = await says(standin, user, code.replace("-", "")[-4:].lower())
        assert "/check" in done.content
        visible = " ".join(m.content for m in user.visible_messages())
        assert code not in visible
        with runtime.database.connect() as connection:
            contact = connection.execute(select(CaseContactRow)).one()
        assert contact.handle is None
        assert contact.way == "code"

        before = await says(standin, user, f"/check {code}")
        assert reference in before.content
        assert t.gettext("No new messages.") in before.content

        said = "Мы подали жалобу прокурору. Держитесь."
        await staff_says(standin, team, f"/reply {reference} {said}")
        miss = await says(standin, user, "/check ZZZZ-ZZZZ-ZZZZ-ZZZZ")
        malformed = await says(standin, user, "/check not-a-code")
        assert miss.content == malformed.content
        assert reference not in miss.content
        assert said not in miss.content

        checked = await says(standin, user, f"/check {code.lower().replace('-', ' ')}")
        assert said in checked.content
        assert "чайка" in checked.content
        assert team.name in checked.content
        assert checked.protect_content
        assert code not in " ".join(m.content for m in user.visible_messages())
        again = await says(standin, user, f"/check {code}")
        assert said not in again.content

        await user.press("✍️ " + t.gettext("Answer"), message_id=again.message_id)
        prompt = await user.wait_for_bot_message(
            timeout=10, predicate=lambda m: m.content.startswith("✍️")
        )
        await user.send_voice(b"OggS voice of the mother", duration=4, reply_to=prompt.message_id)
        await standin.wait_for(
            lambda: any(m.document_name == f"{reference}-1.age" for m in sealed_files(team)), 20
        )
        voice = next(m for m in sealed_files(team) if m.document_name == f"{reference}-1.age")
        assert b"OggS voice of the mother" in opened_file(team, voice)["_files"].values()
        stranger = standin.user(person_id(4299), named("Stranger"), language_code="ru")
        await says(standin, stranger, "/start")
        forged = await stranger.press_data(f"a:{reference}")
        await standin.wait_idle(quiet=0.1, timeout=20)
        assert stranger.callback_answers[forged] == t.gettext("This button is no longer active.")
        assert not any(m.content.startswith("✍️") for m in stranger.visible_messages())

        for _ in range(3):  # a correct code reset the count; three wrong ones in a row now
            await says(standin, user, "/check ZZZZ-ZZZZ-ZZZZ-ZZZ0")
        slowed = await says(standin, user, f"/check {code}")
        assert reference not in slowed.content
        assert slowed.content != miss.content

        assert plaintext_hits(runtime.database, [code, code.replace("-", ""), said, "чайка"]) == []
        assert normalise_case_code(code) == code


async def test_outsiders_change_nothing_and_learn_nothing(
    standin: BotApiStandIn, settings: Settings, teams: dict[str, StaffTeam]
) -> None:
    team = teams["kz"]
    user = standin.user(person_id(4301), named("Dana"), language_code="en")
    person = Complainant(standin, user, "en")
    outsider = standin.user(person_id(4399), named("Curious"), language_code="ru")
    other_staff = teams["kg"].member
    async with running_bot(settings) as runtime:
        reference = await submit(person, "KZ", "bot_chat", "river")
        await standin.wait_for(lambda: len(sealed_files(team)) == 1, 20)
        await standin.wait_idle(quiet=0.2, timeout=20)
        state = counts(runtime.database)
        missing = "KZ-0000-0000"
        answers: dict[tuple[int, int, str], set[str]] = {}
        attempts = [
            (outsider, None, "/reply {ref} open the door"),
            (outsider, None, "/case {ref}"),
            (outsider, None, "/status {ref} closed"),
            (outsider, None, "/note {ref} noted"),
            (outsider, team, "/reply {ref} hello from the group"),
            (outsider, team, "/status {ref} closed"),
            (outsider, team, "/case {ref}"),
            (other_staff, None, "/reply {ref} from another coalition"),
            (other_staff, None, "/status {ref} closed"),
            (other_staff, None, "/case {ref}"),
            (other_staff, teams["kg"], "/status {ref} closed"),
            (other_staff, teams["kg"], "/reply {ref} hello"),
        ]
        for who, where, command in attempts:
            for ref in (reference, missing):
                answer = await says(standin, who, command.format(ref=ref), where)
                assert ref not in answer.content
                assert not answer.document_name
                key = (who.user_id, where.chat.chat_id if where else 0, command)
                answers.setdefault(key, set()).add(answer.content)
        assert all(len(seen) == 1 for seen in answers.values()), answers

        card = card_of(team, reference)
        for label in ("🙋 " + t_ru("Assign to me"), "👁 " + t_ru("Acknowledge")):
            query = await outsider.press(label, chat=team.chat, message_id=card.message_id)
            await standin.wait_idle(quiet=0.1, timeout=20)
            assert outsider.callback_answers[query] == t_ru("Not available.")
        forged = await outsider.press_data(f"s:mine:{reference}", chat=team.chat)
        await standin.wait_idle(quiet=0.1, timeout=20)
        assert outsider.callback_answers[forged] == t_ru("Not available.")

        assert counts(runtime.database) == state
        assert case_row(runtime.database, reference) == ("new", None)
        assert [m for m in user.visible_messages() if "open the door" in m.content] == []
        with runtime.database.connect() as connection:
            refused = connection.execute(
                select(AuditRow.actor, AuditRow.reference).where(AuditRow.outcome == "refused")
            ).all()
        in_staff_chats = [a for a in attempts if a[0] is outsider and a[1] is not None]
        outsider_id = runtime.pseudonym_of(outsider.user_id)
        presses = 3  # the two card buttons and the forged one, in the staff chat
        assert (
            len([a for a, _ in refused if a == outsider_id]) == len(in_staff_chats) * 2 + presses
        ), "an outsider is audited in a staff chat, not in their private chat"
        assert {r for a, r in refused if a == outsider_id} == {None}
        assert reference in {
            r for a, r in refused if a == runtime.pseudonym_of(other_staff.user_id)
        }


async def test_staff_commands_track_a_case_and_the_audit_chain_catches_tampering(
    standin: BotApiStandIn,
    settings: Settings,
    teams: dict[str, StaffTeam],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    team = teams["tj"]
    urgent_user = standin.user(person_id(4401), named("Farrukh"), language_code="en")
    calm_user = standin.user(person_id(4402), named("Zarina"), language_code="en")
    async with running_bot(settings) as runtime:
        calm = await submit(Complainant(standin, calm_user, "en"), "TJ", "none", None)
        urgent_script = report("TJ", "He is held right now")
        urgent_script.update({"a_urgent": "yes", "k_contact_way": "none"})
        urgent_person = Complainant(standin, urgent_user, "en")
        await urgent_person.command("start")
        await urgent_person.walk(urgent_script)
        await urgent_person.press("✅ " + urgent_person.t.gettext("Send the report"))
        await standin.wait_for(lambda: len(sealed_files(team)) == 2, 20)
        urgent = next(
            m.document_name.removesuffix(".age")
            for m in sealed_files(team)
            if m.document_name and m.document_name.removesuffix(".age") != calm
        )

        menus = {
            (json.dumps(c.params.get("scope")), c.params.get("language_code")): [
                command["command"] for command in c.params["commands"]
            ]
            for c in standin.calls_of("setMyCommands")
        }
        staff_menu = menus[(json.dumps({"chat_id": team.chat.chat_id, "type": "chat"}), None)]
        assert {"cases", "case", "status", "reply", "note"} <= set(staff_menu)
        assert "reply" not in menus[(json.dumps(None), "ru")]
        assert (json.dumps({"type": "all_group_chats"}), "ru") not in menus, "not in every group"

        listing = await staff_says(standin, team, "/cases")
        assert listing.content.index(urgent) < listing.content.index(calm)
        with runtime.database.connect() as connection:
            levels = dict(connection.execute(select(CaseRow.reference, CaseRow.urgency)).all())
        rank = {"high": 0, "medium": 1, "low": 2}
        assert rank[levels[urgent]] < rank[levels[calm]]

        unreachable = await staff_says(standin, team, f"/reply {calm} are you safe?")
        assert calm in unreachable.content
        shown = await staff_says(standin, team, f"/status {calm} {t_ru('closed')}")
        assert t_ru("closed") in shown.content
        assert case_row(runtime.database, calm)[0] == "closed"
        await staff_says(standin, team, f"/status {calm} in_progress")
        assert case_row(runtime.database, calm)[0] == "in_progress"
        wrong = await staff_says(standin, team, f"/status {calm} finished")
        assert t_ru("referred") in wrong.content

        before = len(sealed_files(team))
        await team.member.send_text(f"/case {urgent}", chat=team.chat)
        await standin.wait_for(lambda: len(sealed_files(team)) == before + 1, 20)
        resent = sealed_files(team)[-1]
        assert resent.document == card_of(team, urgent).document

        await staff_says(standin, team, f"/note {urgent} Lawyer Karimov visited; bruises seen.")
        await standin.wait_for(
            lambda: any(m.document_name == f"{urgent}-1.age" for m in sealed_files(team)), 20
        )
        note = next(m for m in sealed_files(team) if m.document_name == f"{urgent}-1.age")
        assert opened_file(team, note)["text"] == "Lawyer Karimov visited; bruises seen."
        assert plaintext_hits(runtime.database, ["Karimov", "are you safe"]) == []

        private = await says(standin, team.member, f"/status {urgent} referred")
        assert t_ru("referred") in private.content
        database = runtime.database

    monkeypatch.setenv("DATABASE_URL", settings.resolved_database_url)
    monkeypatch.setenv("DATA_DIR", str(settings.data_dir))
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.setenv("COALITIONS_FILE", str(settings.coalitions_file))
    assert cli(["audit", "verify"]) == 0
    assert "intact" in capsys.readouterr().out
    with database.connect() as connection:
        rows = [AuditRecord(**row) for row in connection.execute(
            select(AuditRow).order_by(AuditRow.seq)).mappings()]  # fmt: skip
    assert len(rows) >= 7
    assert {"list", "status:closed", "resend", "note", "reply"} <= {r.action for r in rows}
    assert verify_chain(rows).intact

    with database.begin() as connection:
        connection.execute(update(AuditRow).where(AuditRow.seq == 3).values(action="status:new"))
    assert cli(["audit", "verify"]) == 1
    assert "entry 3 was changed" in capsys.readouterr().out

    with database.begin() as connection:
        connection.execute(update(AuditRow).where(AuditRow.seq == 3).values(action=rows[2].action))
    assert cli(["audit", "verify", "--head", rows[-1].digest]) == 0
    with database.begin() as connection:
        connection.execute(delete(AuditRow).where(AuditRow.seq == 2))
    assert cli(["audit", "verify"]) == 1
    assert "entry 2 is missing" in capsys.readouterr().out


async def test_delete_erases_the_link_between_the_account_and_its_cases(
    standin: BotApiStandIn, settings: Settings, teams: dict[str, StaffTeam]
) -> None:
    team = teams["uz"]
    user = standin.user(person_id(4501), named("Nodira"), language_code="en")
    person = Complainant(standin, user, "en")
    async with running_bot(settings) as runtime:
        reference = await submit(person, "UZ", "bot_chat", "apricot")
        await standin.wait_for(lambda: len(sealed_files(team)) == 1, 20)
        listed = await says(standin, user, "/status")
        assert reference in listed.content
        await says(standin, user, "/delete")
        with runtime.database.connect() as connection:
            assert connection.execute(select(CaseContactRow)).all() == []
        after = await says(standin, user, "/status")
        assert reference not in after.content
        answer = await staff_says(standin, team, f"/reply {reference} Are you there?")
        assert reference in answer.content
        await standin.wait_idle(quiet=0.3, timeout=20)
        assert all("Are you there?" not in m.content for m in user.visible_messages())
        assert plaintext_hits(runtime.database, ["apricot"]) == []


@pytest.mark.parametrize("mini_app", [None, "case_desk"])
async def test_the_case_card_links_the_desk_mini_app_only_when_it_is_set_up(
    standin: BotApiStandIn, settings: Settings, teams: dict[str, StaffTeam], mini_app: str | None
) -> None:
    team = teams["kg"]
    user = standin.user(person_id(4601), named("Айбек"), language_code="ru")
    person = Complainant(standin, user, "ru")
    async with running_bot(settings.model_copy(update={"mini_app_name": mini_app})):
        reference = await submit(person, "KG", "none", None)
        await standin.wait_for(lambda: len(sealed_files(team)) == 1, 20)
        await staff_says(standin, team, f"/note {reference} checked")
        await standin.wait_for(lambda: len(sealed_files(team)) == 2, 20)
    keyboard = card_of(team, reference).raw["reply_markup"]["inline_keyboard"]
    pressed = [b["text"] for row in keyboard for b in row if "callback_data" in b]
    assert len(pressed) == 3  # acknowledge, assign, reply: as before
    links = [b for row in keyboard for b in row if "url" in b]
    if mini_app is None:
        assert links == []
    else:
        assert STAFF.gettext("Open in the desk") == "Открыть в рабочем месте"
        assert links == [
            {
                "text": "🔓 Открыть в рабочем месте",
                "url": f"https://t.me/complaint_test_bot/{mini_app}?startapp={reference}",
            }
        ]
    note = next(m for m in sealed_files(team) if m.document_name == f"{reference}-1.age")
    assert "reply_markup" not in note.raw  # a later file carries no buttons
