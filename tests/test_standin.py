"""The Bot API stand-in, exercised through the real python-telegram-bot client."""

from __future__ import annotations

import asyncio
import datetime as dtm
from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio
import telegram
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, RetryAfter
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from tests.standin import ApiError, BotApiStandIn, SimUser
from tests.standin.spec import validate_call, validate_value

TOKEN = "123456:TEST-token"
GROUP_ID = -1001000000001
TWO_DAYS = 48 * 3600


@pytest_asyncio.fixture
async def standin() -> AsyncIterator[BotApiStandIn]:
    async with BotApiStandIn(token=TOKEN, bot_id=123456, bot_username="complaint_test_bot") as s:
        yield s


@pytest_asyncio.fixture
async def bot(standin: BotApiStandIn) -> AsyncIterator[telegram.Bot]:
    client = telegram.Bot(
        TOKEN, base_url=f"{standin.url}/bot", base_file_url=f"{standin.url}/file/bot"
    )
    async with client:
        yield client


@pytest.fixture
def user(standin: BotApiStandIn) -> SimUser:
    return standin.user(user_id=1001, first_name="Aigul", language_code="ru")


def keyboard(*labels_and_data: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data)] for label, data in labels_and_data]
    )


@pytest.mark.asyncio
async def test_get_me_and_token_check(standin: BotApiStandIn, bot: telegram.Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.username, me.is_bot) == (123456, "complaint_test_bot", True)

    intruder = telegram.Bot("123456:WRONG", base_url=f"{standin.url}/bot")
    with pytest.raises(InvalidToken):
        async with intruder:
            pass
    async with httpx.AsyncClient() as http:
        response = await http.post(f"{standin.url}/bot123456:WRONG/getMe")
    assert response.status_code == 401
    assert response.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}


@pytest.mark.asyncio
async def test_sent_message_reaches_the_user(
    standin: BotApiStandIn, bot: telegram.Bot, user: SimUser
) -> None:
    sent = await bot.send_message(
        user.chat_id,
        "Choose a language",
        reply_markup=keyboard(("Қазақша", "lang:kz"), ("Русский", "lang:ru")),
        protect_content=True,
    )
    assert sent.has_protected_content
    assert sent.reply_markup is not None
    assert sent.from_user is not None
    assert sent.from_user.id == 123456

    seen = await user.wait_for_bot_message(timeout=1)
    assert seen.message_id == sent.message_id
    assert seen.text == "Choose a language"
    assert seen.buttons == [["Қазақша"], ["Русский"]]
    assert seen.callback_data == [["lang:kz"], ["lang:ru"]]
    assert seen.protect_content
    assert standin.calls_of("sendMessage")[0].params["protect_content"] is True
    with pytest.raises(TimeoutError):
        await user.wait_for_bot_message(timeout=0.05)
    standin.assert_no_violations()


@pytest.mark.asyncio
async def test_html_parse_mode(standin: BotApiStandIn, bot: telegram.Bot, user: SimUser) -> None:
    sent = await bot.send_message(user.chat_id, "Case <b>CC-1</b> &amp; co", parse_mode="HTML")
    assert sent.text == "Case CC-1 & co"
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [("bold", 5, 4)]

    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.send_message(user.chat_id, "line<br>break", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.send_message(user.chat_id, "a < b", parse_mode="HTML")
    assert len(standin.violations) == 2


@pytest.mark.asyncio
async def test_editing_messages(standin: BotApiStandIn, bot: telegram.Bot, user: SimUser) -> None:
    markup = keyboard(("Submit", "submit"))
    sent = await bot.send_message(user.chat_id, "Draft", reply_markup=markup)
    await user.wait_for_bot_update(timeout=1)

    edited = await bot.edit_message_text(
        "Draft v2", user.chat_id, sent.message_id, reply_markup=markup
    )
    assert isinstance(edited, telegram.Message)
    assert edited.edit_date is not None
    update = await user.wait_for_bot_update(timeout=1)
    assert (update.text, update.edited, update.buttons) == ("Draft v2", True, [["Submit"]])

    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("Draft v2", user.chat_id, sent.message_id, reply_markup=markup)

    await bot.edit_message_text("Sent", user.chat_id, sent.message_id)
    current = user.last_bot_message()
    assert current is not None
    assert current.text == "Sent"
    assert current.buttons == []

    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", user.chat_id, 999)
    own = await user.send_text("my words")
    with pytest.raises(BadRequest, match=r"(?i)message can't be edited"):
        await bot.edit_message_text("x", user.chat_id, own)

    await bot.edit_message_reply_markup(user.chat_id, sent.message_id, reply_markup=markup)
    current = user.last_bot_message()
    assert current is not None
    assert current.buttons == [["Submit"]]
    standin.assert_no_violations()


@pytest.mark.asyncio
async def test_updates_from_user_actions(
    standin: BotApiStandIn, bot: telegram.Bot, user: SimUser
) -> None:
    await bot.send_message(user.chat_id, "Menu", reply_markup=keyboard(("New complaint", "new")))
    await user.send_text("hello")
    await user.send_command("start", "kz")
    query_id = await user.press("New complaint")

    updates = await bot.get_updates(timeout=1)
    assert [u.update_id for u in updates] == sorted(u.update_id for u in updates)
    text, command, press = updates
    assert text.message is not None
    assert text.message.text == "hello"
    assert command.message is not None
    assert command.message.text == "/start kz"
    assert [(e.type, e.offset, e.length) for e in command.message.entities] == [
        ("bot_command", 0, 6)
    ]
    assert press.callback_query is not None
    assert (press.callback_query.id, press.callback_query.data) == (query_id, "new")
    assert press.callback_query.from_user.id == user.user_id
    assert press.callback_query.message is not None
    assert press.callback_query.message.chat.id == user.chat_id

    assert len(await bot.get_updates(offset=press.update_id)) == 1
    assert await bot.get_updates(offset=press.update_id + 1) == ()

    assert await bot.answer_callback_query(query_id, text="Started")
    assert user.callback_answers == {query_id: "Started"}
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(query_id)
    with pytest.raises(LookupError, match=r"(?i)New complaint"):
        await user.press("Missing")
    standin.assert_no_violations()


@pytest.mark.asyncio
async def test_long_poll_wakes_on_new_update(bot: telegram.Bot, user: SimUser) -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.1)
    await user.send_text("wake up")
    updates = await poll
    assert loop.time() - started < 2
    assert updates[0].message is not None
    assert updates[0].message.text == "wake up"


@pytest.mark.asyncio
async def test_user_photo_can_be_downloaded(bot: telegram.Bot, user: SimUser) -> None:
    jpeg = b"\xff\xd8\xff\xe0 fake jpeg \xff\xd9"
    await user.send_photo(jpeg, caption="bruises")
    (update,) = await bot.get_updates()
    assert update.message is not None
    assert update.message.caption == "bruises"
    assert len(update.message.photo) == 2
    file = await update.message.photo[-1].get_file()
    assert await file.download_as_bytearray() == bytearray(jpeg)


@pytest.mark.asyncio
async def test_documents_round_trip(
    standin: BotApiStandIn, bot: telegram.Bot, user: SimUser
) -> None:
    pdf = b"%PDF-1.4 complaint export"
    sent = await bot.send_document(user.chat_id, pdf, filename="CC-1.pdf", protect_content=True)
    seen = await user.wait_for_bot_message(timeout=1)
    assert (seen.document, seen.document_name, seen.protect_content) == (pdf, "CC-1.pdf", True)
    assert sent.document is not None
    assert sent.document.mime_type == "application/pdf"

    file = await bot.get_file(sent.document.file_id)
    assert await file.download_as_bytearray() == bytearray(pdf)
    again = await bot.send_document(user.chat_id, sent.document.file_id)
    assert again.document is not None
    assert again.document.file_id == sent.document.file_id
    with pytest.raises(BadRequest, match=r"(?i)wrong file identifier"):
        await bot.send_document(user.chat_id, "no-such-file-id")

    await user.send_document(b"scan", file_name="scan.png", mime_type="image/png")
    (update,) = await bot.get_updates()
    assert update.message is not None
    assert update.message.document is not None
    assert update.message.document.file_name == "scan.png"
    download = await (await update.message.document.get_file()).download_as_bytearray()
    assert download == bytearray(b"scan")
    standin.assert_no_violations()


@pytest.mark.asyncio
async def test_deleting_messages(standin: BotApiStandIn, bot: telegram.Bot, user: SimUser) -> None:
    theirs = await user.send_text("my name is ...")
    ours = await bot.send_message(user.chat_id, "Got it")
    assert await bot.delete_message(user.chat_id, theirs)
    assert await bot.delete_message(user.chat_id, ours.message_id)
    assert user.visible_messages() == []
    assert [m.text for m in user.deleted_messages()] == ["my name is ...", "Got it"]
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(user.chat_id, theirs)

    old = await bot.send_message(user.chat_id, "old")
    standin.advance_clock(TWO_DAYS + 1)
    with pytest.raises(BadRequest, match=r"(?i)can't be deleted for everyone"):
        await bot.delete_message(user.chat_id, old.message_id)

    group = standin.group(chat_id=GROUP_ID, title="KZ staff", bot_is_admin=False)
    staff_message = await user.send_text("hi staff", chat=group)
    with pytest.raises(BadRequest, match=r"(?i)message can't be deleted"):
        await bot.delete_message(GROUP_ID, staff_message)
    assert await bot.delete_messages(GROUP_ID, [staff_message, 12345])
    assert [m.message_id for m in group.messages] == [staff_message]
    standin.assert_no_violations()


@pytest.mark.asyncio
@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_injected_faults(standin: BotApiStandIn, bot: telegram.Bot, user: SimUser) -> None:
    standin.fail_next(
        "sendMessage",
        ApiError(code=429, description="Too Many Requests: retry after 1", retry_after=1),
        ApiError(500, "Internal Server Error"),
    )
    with pytest.raises(RetryAfter) as flood:
        await bot.send_message(user.chat_id, "one")
    assert flood.value.retry_after in (1, dtm.timedelta(seconds=1))
    with pytest.raises(NetworkError, match=r"(?i)Internal Server Error") as crash:
        await bot.send_message(user.chat_id, "two")
    assert not isinstance(crash.value, BadRequest)
    assert (await bot.send_message(user.chat_id, "three")).text == "three"
    assert [c.status for c in standin.calls_of("sendMessage")] == [429, 500, 200]
    with pytest.raises(ValueError, match="sendMesage"):
        standin.fail_next("sendMesage", ApiError(500, "Internal Server Error"))
    assert [m.text for m in user.visible_messages()] == ["three"]


@pytest.mark.asyncio
async def test_forbidden_chats(standin: BotApiStandIn, bot: telegram.Bot, user: SimUser) -> None:
    group = standin.group(chat_id=GROUP_ID, title="KZ staff")
    standin.forbid(user.chat_id)
    standin.forbid(group.chat_id)
    with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
        await bot.send_message(user.chat_id, "hello?")
    with pytest.raises(Forbidden, match=r"(?i)bot was kicked from the supergroup chat"):
        await bot.send_message(group.chat_id, "hello?")
    standin.allow(user.chat_id)
    assert (await bot.send_message(user.chat_id, "back")).text == "back"
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(424242, "nobody")


@pytest.mark.asyncio
async def test_pause_holds_requests(standin: BotApiStandIn, bot: telegram.Bot) -> None:
    standin.pause()
    call = asyncio.create_task(bot.get_me())
    await asyncio.sleep(0.2)
    assert not call.done()
    standin.resume()
    assert (await call).id == 123456


@pytest.mark.asyncio
async def test_unknown_method_is_a_violation(standin: BotApiStandIn) -> None:
    async with httpx.AsyncClient() as http:
        response = await http.post(f"{standin.url}/bot{TOKEN}/sendTelepathy", data={"a": "1"})
    assert response.status_code == 404
    assert response.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
    assert [(v.method, v.message) for v in standin.violations] == [
        ("sendTelepathy", "unknown method 'sendTelepathy'")
    ]
    with pytest.raises(AssertionError, match=r"(?i)sendTelepathy"):
        standin.assert_no_violations()


@pytest.mark.asyncio
async def test_missing_and_unknown_parameters(standin: BotApiStandIn, user: SimUser) -> None:
    async with httpx.AsyncClient(base_url=f"{standin.url}/bot{TOKEN}") as http:
        missing = await http.post("/sendMessage", data={"text": "hi"})
        unknown = await http.post(
            "/sendMessage", data={"chat_id": str(user.chat_id), "text": "hi", "colour": "red"}
        )
        wrong_type = await http.post(
            "/sendMessage", data={"chat_id": "1001", "text": "hi", "protect_content": "yes"}
        )
    assert missing.status_code == unknown.status_code == wrong_type.status_code == 400
    assert missing.json()["description"].startswith("Bad Request: ")
    messages = [v.message for v in standin.violations]
    assert messages[0] == "parameter 'chat_id' is required"
    assert messages[1] == "unknown parameter 'colour'"
    assert "protect_content: expected Boolean" in messages[2]
    assert user.visible_messages() == []


@pytest.mark.asyncio
async def test_json_and_query_string_requests(standin: BotApiStandIn, user: SimUser) -> None:
    async with httpx.AsyncClient(base_url=f"{standin.url}/bot{TOKEN}") as http:
        as_json = await http.post(
            "/sendMessage",
            json={
                "chat_id": user.chat_id,
                "text": "json",
                "reply_markup": {"inline_keyboard": [[{"text": "Go", "callback_data": "go"}]]},
            },
        )
        as_query = await http.get("/sendMessage", params={"chat_id": user.chat_id, "text": "qs"})
    assert as_json.json()["result"]["reply_markup"]["inline_keyboard"][0][0]["text"] == "Go"
    assert as_query.json()["ok"] is True
    assert [m.text for m in user.visible_messages()] == ["json", "qs"]
    standin.assert_no_violations()


@pytest.mark.asyncio
async def test_callback_data_limit_is_in_bytes(
    standin: BotApiStandIn, bot: telegram.Bot, user: SimUser
) -> None:
    await bot.send_message(user.chat_id, "ok", reply_markup=keyboard(("x", "x" * 64)))
    standin.assert_no_violations()
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(user.chat_id, "no", reply_markup=keyboard(("x", "x" * 65)))
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(user.chat_id, "no", reply_markup=keyboard(("x", "ж" * 33)))
    assert len(standin.violations) == 2
    assert "got 65" in standin.violations[0].message
    assert [m.text for m in user.visible_messages()] == ["ok"]


@pytest.mark.asyncio
async def test_documented_limits(standin: BotApiStandIn, bot: telegram.Bot, user: SimUser) -> None:
    await bot.send_message(user.chat_id, "я" * 4096)
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(user.chat_id, "я" * 4097)
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(user.chat_id, "   ")
    with pytest.raises(BadRequest, match=r"(?i)caption is too long"):
        await bot.send_document(user.chat_id, b"x", filename="a.txt", caption="c" * 1025)
    both = InlineKeyboardMarkup(
        [[InlineKeyboardButton("Both", url="https://example.org", callback_data="b")]]
    )
    with pytest.raises(BadRequest, match=r"(?i)exactly one action field"):
        await bot.send_message(user.chat_id, "x", reply_markup=both)
    with pytest.raises(BadRequest, match=r"(?i)exactly one action field"):
        await bot.send_message(
            user.chat_id, "x", reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("No")]])
        )
    await bot.send_message(user.chat_id, "menu", reply_markup=keyboard(("A", "a")))
    query_id = await user.press("A")
    with pytest.raises(BadRequest, match=r"(?i)too long"):
        await bot.answer_callback_query(query_id, text="t" * 201)
    with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([("New-Complaint", "File a complaint")])
    assert len(standin.violations) == 7


@pytest.mark.asyncio
async def test_bot_settings_methods(standin: BotApiStandIn, bot: telegram.Bot) -> None:
    assert await bot.delete_webhook(drop_pending_updates=True)
    assert (await bot.get_webhook_info()).url == ""
    assert await bot.set_my_commands([("start", "Start"), ("help", "Help")], language_code="ru")
    assert [c.command for c in await bot.get_my_commands(language_code="ru")] == ["start", "help"]
    assert await bot.get_my_commands() == ()
    assert await bot.delete_my_commands(language_code="ru")
    assert await bot.set_my_description("Report ill-treatment safely")
    assert await bot.set_my_short_description("Complaint intake")
    assert await bot.set_my_name("Complaint Bot")
    assert (await bot.get_my_description()).description == "Report ill-treatment safely"
    assert await bot.set_chat_menu_button(menu_button=telegram.MenuButtonCommands())
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_chat_action(GROUP_ID, "typing")
    standin.group(chat_id=GROUP_ID, title="KZ staff")
    assert await bot.send_chat_action(GROUP_ID, "typing")
    standin.assert_no_violations()


@pytest.mark.asyncio
async def test_results_conform_to_the_spec(standin: BotApiStandIn, user: SimUser) -> None:
    group = standin.group(chat_id=GROUP_ID, title="KZ staff")
    async with httpx.AsyncClient(base_url=f"{standin.url}/bot{TOKEN}") as http:
        markup = '{"inline_keyboard": [[{"text": "Go", "callback_data": "go"}]]}'
        sent = await http.post(
            "/sendMessage",
            data={
                "chat_id": "1001",
                "text": "<i>hi</i>",
                "parse_mode": "HTML",
                "reply_markup": markup,
                "protect_content": "true",
            },
        )
        await user.send_command("reply", "CC-1 hi", chat=group)
        await user.send_photo(b"jpeg")
        await user.send_voice(b"ogg", duration=7)
        await user.send_sticker()
        await user.send_document(b"doc", file_name="a.pdf", mime_type="application/pdf")
        await user.press("Go")
        updates = (await http.post("/getUpdates")).json()["result"]
        me = (await http.post("/getMe")).json()["result"]
        photo = updates[1]["message"]["photo"][0]["file_id"]
        file = (await http.post("/getFile", data={"file_id": photo})).json()["result"]
    assert validate_value(sent.json()["result"], ["Message"]) is None
    assert validate_value(me, ["User"]) is None
    assert validate_value(file, ["File"]) is None
    assert len(updates) == 6
    for update in updates:
        assert validate_value(update, ["Update"]) is None
    assert validate_value({"message_id": "x"}, ["Message"]) is not None
    standin.assert_no_violations()


def test_validate_call_decodes_and_reports() -> None:
    params, problems = validate_call(
        "setChatMenuButton", {"chat_id": "5", "menu_button": '{"type": "commands"}'}
    )
    assert problems == []
    assert params == {"chat_id": 5, "menu_button": {"type": "commands"}}

    _, problems = validate_call(
        "sendMessage",
        {
            "chat_id": 1,
            "text": "x",
            "reply_markup": '{"inline_keyboard": [[{"text": "a", "colour": 1}]]}',
        },
    )
    assert problems == [
        "reply_markup.inline_keyboard[0][0]: unknown field 'colour' in InlineKeyboardButton"
    ]
    _, problems = validate_call("sendMessage", {"chat_id": 1, "text": "x", "reply_markup": "{"})
    assert problems == ["reply_markup: can't parse JSON"]
    _, problems = validate_call("deleteMessages", {"chat_id": 1, "message_ids": "[]"})
    assert problems == ["message_ids must contain 1-100 identifiers"]
    commands = '[{"command": "start", "description": "Start"}]'
    scope = '{"type": "chat"}'
    _, problems = validate_call("setMyCommands", {"commands": commands, "scope": scope})
    assert problems == ["scope: missing required field 'chat_id' in BotCommandScopeChat"]


@pytest.mark.asyncio
async def test_application_end_to_end(standin: BotApiStandIn) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_chat is not None
        lang = context.args[0] if context.args else "ru"
        await context.bot.send_message(
            update.effective_chat.id,
            f"Welcome ({lang})",
            reply_markup=keyboard(("File a complaint", "new")),
            protect_content=True,
        )

    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer("Starting")
        await query.edit_message_text("Describe what happened")

    app = (
        Application.builder()
        .token(TOKEN)
        .base_url(f"{standin.url}/bot")
        .base_file_url(f"{standin.url}/file/bot")
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(pressed))
    user = standin.user(user_id=1001, first_name="Aigul", language_code="ru")
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(timeout=1, poll_interval=0)
        try:
            await user.send_command("start", "kz")
            welcome = await user.wait_for_bot_message(timeout=5)
            assert (welcome.text, welcome.buttons) == ("Welcome (kz)", [["File a complaint"]])
            query_id = await user.press("File a complaint")
            edited = await user.wait_for_bot_update(timeout=5, predicate=lambda m: m.edited)
            assert edited.text == "Describe what happened"
            assert edited.buttons == []
            await standin.wait_for(lambda: query_id in user.callback_answers, timeout=5)
            assert user.callback_answers[query_id] == "Starting"
            await user.wait_idle(quiet=0.1, timeout=5)
        finally:
            await app.updater.stop()
            await app.stop()
    assert all(c.params.get("protect_content") for c in standin.calls_of("sendMessage"))
    assert standin.unanswered_callback_queries() == []
    standin.assert_no_violations()
