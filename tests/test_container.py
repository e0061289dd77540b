"""The image builds offline (podman, a Debian base made with debootstrap) and answers /healthz
as an unprivileged user, its secrets mounted as files (issue 12.4).

Slow the first time (a few minutes): it builds the real image, which tests/images.py keeps for
later runs and for tests/test_compose.py. Outside CI it is skipped when podman or debootstrap is
missing; in CI (CI=true) their absence fails it, as .ci/run installs them.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
from pathlib import Path

import httpx
import pytest

from tests.e2e import TOKEN, named, person_id
from tests.images import RUN, bot_image, require_podman
from tests.standin import BotApiStandIn
from tests.webhook_kit import SECRET, WEBHOOK_URL, free_port

pytestmark = pytest.mark.timeout(900)


@pytest.fixture(scope="module")
def image(tmp_path_factory: pytest.TempPathFactory) -> str:
    require_podman()
    return bot_image(tmp_path_factory.mktemp("image"))


def test_the_image_runs_as_a_user_with_a_healthcheck_and_no_secrets(image: str) -> None:
    inspected = json.loads(
        subprocess.run(
            ["podman", "image", "inspect", image], check=True, capture_output=True
        ).stdout
    )[0]
    config = inspected["Config"]
    assert config["User"] == "10001:10001"
    health = inspected.get("Healthcheck") or config.get("Healthcheck") or {}
    assert "/healthz" in " ".join(health.get("Test", []))
    assert not any("TOKEN" in variable for variable in config.get("Env", []))
    version = subprocess.run(
        [*RUN, image, "--version"], check=True, capture_output=True, text=True
    ).stdout
    assert version.startswith("complaint-bot ")


async def test_the_container_answers_healthz_and_takes_an_update(
    image: str, standin: BotApiStandIn, tmp_path: Path
) -> None:
    secrets = tmp_path / "secrets"
    secrets.mkdir()
    (secrets / "telegram_bot_token").write_text(TOKEN)
    (secrets / "webhook_secret_token").write_text(SECRET)
    for path in secrets.iterdir():
        os.chown(path, 10001, 10001)
        path.chmod(0o400)
    data = tmp_path / "data"
    data.mkdir(mode=0o700)
    os.chown(data, 10001, 10001)
    port = free_port()
    name = f"complaint-bot-test-{port}"
    run = await asyncio.create_subprocess_exec(
        *RUN, "-d", "--name", name, "--network", "host",
        "--read-only", "-v", f"{data}:/var/lib/complaint-bot",
        "-v", f"{secrets}:/run/secrets:ro",
        "-e", f"TELEGRAM_API_URL={standin.url}", "-e", f"WEBHOOK_URL={WEBHOOK_URL}",
        "-e", "LISTEN_HOST=127.0.0.1", "-e", f"LISTEN_PORT={port}",
        image, stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    await run.wait()
    assert run.returncode == 0
    try:
        async with httpx.AsyncClient(timeout=3) as client:
            for _ in range(200):
                try:
                    health = await client.get(f"http://127.0.0.1:{port}/healthz")
                    break
                except httpx.HTTPError:
                    await asyncio.sleep(0.2)
            else:
                raise AssertionError("the container never answered /healthz")
            assert health.status_code == 200
            assert (await client.get(f"http://127.0.0.1:{port}/readyz")).status_code == 200
            user = standin.user(person_id(8), named("Madina"), language_code="ru")
            await user.send_command("start")
            (update,) = standin.take_updates()
            answer = await client.post(
                f"http://127.0.0.1:{port}/telegram",
                json=update,
                headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
                timeout=30,
            )
            assert answer.status_code == 200
            assert standin.calls_of("sendMessage"), "the bot in the container replied"
    finally:
        logs = await asyncio.create_subprocess_exec(
            "podman", "logs", name, stderr=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        _out, err = await logs.communicate()
        stop = await asyncio.create_subprocess_exec("podman", "rm", "-f", "-t", "5", name,
                                                    stdout=asyncio.subprocess.DEVNULL)  # fmt: skip
        await stop.wait()
    lines = [json.loads(line) for line in err.decode().splitlines() if line.startswith("{")]
    assert lines, "JSON logs"
    assert TOKEN not in err.decode()
    assert SECRET not in err.decode()
