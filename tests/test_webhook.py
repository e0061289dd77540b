"""The webhook front in process: the secret, the size limit, 200 only once committed, 503 for
a transient failure, a sealed dead letter for a deterministic one; health and metrics."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from telegram.error import BadRequest, NetworkError, RetryAfter

from bot.app import Runtime
from bot.chat.failures import Failure, classify
from bot.cli import main
from bot.config import Settings
from bot.webhook import MAX_UPDATE_BYTES
from storage.schema import DeadLetterRow, ProcessedUpdate
from tests.e2e import TOKEN, named, person_id, plaintext_hits
from tests.standin import BotApiStandIn
from tests.webhook_kit import SECRET, WEBHOOK_URL, front_in_process


def count(runtime: Runtime, row: Any) -> int:
    with runtime.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(row)) or 0)


async def one_update(standin: BotApiStandIn, text: str, seed: int = 1) -> dict[str, Any]:
    user = standin.user(person_id(seed), named("Aziza"), language_code="ru")
    await user.send_text(text)
    (update,) = standin.take_updates()
    return update


def test_failures_are_classified_by_what_time_can_cure() -> None:
    unreachable = OperationalError("SELECT 1", {}, ConnectionRefusedError())
    assert classify(unreachable) is Failure.TRANSIENT
    assert classify(RetryAfter(dt.timedelta(seconds=3))) is Failure.TRANSIENT
    assert classify(NetworkError("reset")) is Failure.TRANSIENT
    assert classify(BadRequest("query is too old")) is Failure.REFUSED
    assert classify(KeyError("x")) is Failure.DETERMINISTIC
    assert classify(None) is Failure.DETERMINISTIC
    wrapped = RuntimeError("wrapped")
    wrapped.__cause__ = OSError("No space left on device")
    assert classify(wrapped) is Failure.TRANSIENT


async def test_a_wrong_or_missing_secret_is_refused_and_changes_nothing(
    standin: BotApiStandIn, settings: Settings
) -> None:
    update = await one_update(standin, "/start")
    async with front_in_process(Runtime(settings)) as front:
        assert await front.post(update, secret=None) == 403
        assert await front.post(update, secret="wrong-secret-token-0123456789") == 403
        assert await front.post(update, secret="") == 403
        assert count(front.runtime, ProcessedUpdate) == 0
        assert standin.calls_of("sendMessage") == []


async def test_an_oversized_or_broken_request_is_refused(
    standin: BotApiStandIn, settings: Settings
) -> None:
    async with front_in_process(Runtime(settings)) as front:
        big = {"update_id": 1, "message": {"text": "x" * MAX_UPDATE_BYTES}}
        assert await front.post(big) == 413
        response = await front.client.post(
            "/telegram", content=b"{not json", headers={"X-Telegram-Bot-Api-Secret-Token": "x"}
        )
        assert response.status_code == 403, "the secret is checked before anything is read"


async def test_an_update_is_answered_200_once_handled_and_redelivery_changes_nothing(
    standin: BotApiStandIn, settings: Settings
) -> None:
    update = await one_update(standin, "/start")
    async with front_in_process(Runtime(settings)) as front:
        assert await front.post(update) == 200
        assert count(front.runtime, ProcessedUpdate) == 1, "committed before the 200"
        first = [call.params["text"] for call in standin.calls_of("sendMessage")]
        assert first
        assert await front.post(update) == 200
        assert count(front.runtime, ProcessedUpdate) == 1
        again = [call.params["text"] for call in standin.calls_of("sendMessage")][len(first) :]
        assert len(again) == 1, "not applied again: the current step is only shown again"
        assert again[0] in first[-1]


async def test_a_transient_failure_answers_503_and_the_redelivery_is_handled(
    standin: BotApiStandIn, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    update = await one_update(standin, "/start")
    runtime = Runtime(settings)
    async with front_in_process(runtime) as front:
        begin = runtime.service.begin

        def unreachable(*args: object, **kwargs: object) -> object:
            raise OperationalError("INSERT", {}, ConnectionRefusedError())

        monkeypatch.setattr(runtime.service, "begin", unreachable)
        assert await front.post(update) == 503
        assert count(runtime, ProcessedUpdate) == 0
        assert count(runtime, DeadLetterRow) == 0, "a transient failure is never put aside"
        monkeypatch.setattr(runtime.service, "begin", begin)
        assert await front.post(update) == 200
        assert count(runtime, ProcessedUpdate) == 1
        assert standin.calls_of("sendMessage")


async def test_a_deterministic_failure_is_sealed_as_a_dead_letter_and_answered_200(
    standin: BotApiStandIn,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    user = standin.user(person_id(2), named("Bakhtiyor"), language_code="ru")
    words = "they held my brother at the district station"
    await user.send_text(words)
    (update,) = standin.take_updates()
    runtime = Runtime(settings)
    async with front_in_process(runtime) as front:

        def broken(*args: object, **kwargs: object) -> object:
            raise ZeroDivisionError(words)

        monkeypatch.setattr(runtime.service, "give_text", broken)
        assert await front.post(update) == 200
        assert await front.post(update) == 200, "another replica's redelivery: one row"
        with runtime.sessions() as session:
            rows = session.scalars(select(DeadLetterRow)).all()
        assert [(r.update_id, r.kind, r.error_class) for r in rows] == [
            (update["update_id"], "message", "ZeroDivisionError")
        ]
        assert rows[0].failed_at.minute == 0, "the hour only"
        assert plaintext_hits(runtime.database, [words, user.user_id, "Bakhtiyor"]) == []
        with runtime.unit_of_work() as unit:
            opened = unit.dead_letters.open(update["update_id"])
        assert opened is not None
        assert words.encode() in opened, "kept, sealed, for replay"
    for name, value in {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "DATA_DIR": str(settings.data_dir),
        "DATABASE_URL": settings.resolved_database_url,
        "COALITIONS_FILE": str(settings.coalitions_file),
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)
    assert main(["status"]) == 0
    printed = capsys.readouterr().out
    assert "dead letters: 1" in printed
    assert "ZeroDivisionError: 1" in printed
    assert words not in printed


async def test_health_readiness_and_metrics_without_labels_that_identify(
    standin: BotApiStandIn, settings: Settings
) -> None:
    update = await one_update(standin, "/start", seed=3)
    async with front_in_process(Runtime(settings)) as front:
        assert await front.post(update) == 200
        client: httpx.AsyncClient = front.client
        assert (await client.get("/healthz")).status_code == 200
        assert (await client.get("/readyz")).status_code == 200
        exposed = (await client.get("/metrics")).text
        assert 'complaint_bot_updates_total{kind="message",outcome="handled"}' in exposed
        assert "complaint_bot_update_seconds_bucket" in exposed
        user_id = update["message"]["from"]["id"]
        assert str(user_id) not in exposed
        assert "chat" not in exposed.replace("chats", "")


@pytest.mark.parametrize("mini_app", [None, "desk"])
async def test_the_desk_mini_app_is_served_beside_the_updates_only_when_configured(
    standin: BotApiStandIn, settings: Settings, mini_app: str | None
) -> None:
    update = await one_update(standin, "/start", seed=5)
    configured = settings.model_copy(update={"mini_app_name": mini_app})
    async with front_in_process(Runtime(configured)) as front:
        page = await front.client.get("/desk/")
        case = await front.client.get("/desk/case/KZ-2222-3333", headers={"Authorization": "tma x"})
        assert await front.post(update) == 200  # the updates are handled as before
    if mini_app is None:
        assert (page.status_code, case.status_code) == (404, 404)
    else:
        assert page.status_code == 200
        assert "connect-src 'self'" in page.headers["content-security-policy"]
        assert (case.status_code, case.text) == (403, "not available")


async def test_a_press_redelivered_after_the_callback_window_still_moves_the_form_on(
    standin: BotApiStandIn, settings: Settings
) -> None:
    user = standin.user(person_id(4), named("Dilnoza"), language_code="en")
    async with front_in_process(Runtime(settings)) as front:
        await user.send_command("start")
        (start,) = standin.take_updates()
        assert await front.post(start) == 200
        shown = user.last_bot_message()
        assert shown is not None
        await user.press(shown.labels[0])
        (press,) = standin.take_updates()
        standin.advance_clock(60)  # the database was away; Telegram redelivers a minute later
        assert await front.post(press) == 200
        after = user.last_bot_message()
        assert after is not None
        assert after.content != shown.content


async def test_webhook_set_info_and_delete_are_a_deploy_step(
    standin: BotApiStandIn,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for name, value in {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": standin.url,
        "DATA_DIR": str(tmp_path / "data"),
        "WEBHOOK_URL": WEBHOOK_URL,
        "WEBHOOK_SECRET_TOKEN": SECRET,
        "WEBHOOK_MAX_CONNECTIONS": "12",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)
    assert await asyncio.to_thread(main, ["webhook", "set"]) == 0
    (call,) = standin.calls_of("setWebhook")
    assert call.params["url"] == WEBHOOK_URL
    assert call.params["secret_token"] == SECRET
    assert call.params["max_connections"] == 12
    assert call.params["allowed_updates"] == ["message", "callback_query"]
    assert await asyncio.to_thread(main, ["webhook", "info"]) == 0
    printed = capsys.readouterr().out
    assert f"url: {WEBHOOK_URL}" in printed
    assert SECRET not in printed
    assert await asyncio.to_thread(main, ["webhook", "delete"]) == 0
    assert standin.calls_of("deleteWebhook")[-1].params.get("drop_pending_updates") in (None, False)
    monkeypatch.setenv("WEBHOOK_SECRET_TOKEN", "short")
    assert await asyncio.to_thread(main, ["webhook", "set"]) == 2
    assert "WEBHOOK_SECRET_TOKEN" in capsys.readouterr().err


def test_version_is_printed(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.startswith("complaint-bot 0.")
