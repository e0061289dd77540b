"""deploy/compose.yaml comes up as the README says, in two commands (deploy/setup-secrets.sh,
then compose up), serves the webhook over HTTPS through Caddy, and `compose run --rm bot
webhook set` sets it (issue 12, "Done when").

No image registry is reachable from CI, so the three images are built from Debian's packages
on the debootstrap base (tests/images.py, deploy/offline-images.sh) and named in deploy/.env,
as an operator without a registry would. What is brought up is the real compose.yaml and
Caddyfile; the only override points the bot at this test's Bot API stand-in. BOT_DOMAIN is
`localhost`, for which Caddy issues its certificate from its own local CA instead of ACME; the
test trusts that CA's root and nothing else. The stack is taken down, volumes and all, at the
end. Brought up with podman-compose (the dev lock pins it); `docker compose` reads the same
files.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from bot.webhook import SECRET_HEADER
from tests.e2e import TOKEN, StaffTeam, named, person_id
from tests.images import ROOT, bot_image, offline_image, require_podman
from tests.standin import BotApiStandIn
from tests.webhook_kit import TcpCut, free_port

pytestmark = pytest.mark.timeout(900)
COMPOSE = str(Path(sys.executable).with_name("podman-compose"))
# Like tests/images.RUN: limits no higher than this process has (a sandboxed CI root may lack
# CAP_SYS_RESOURCE to raise them).
CONTAINERS_CONF = """[containers]
default_ulimits = ["nofile=4096:4096", "nproc=4096:4096"]
"""


@pytest.fixture(scope="module")
def images(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    require_podman()
    if not Path(COMPOSE).exists():
        pytest.fail(f"{COMPOSE} is missing: install requirements-dev.lock")
    return {
        "BOT_IMAGE": bot_image(tmp_path_factory.mktemp("image")),
        "POSTGRES_IMAGE": offline_image("postgres"),
        "CADDY_IMAGE": offline_image("caddy"),
    }


def outward_address() -> str:
    """This machine's address on its default route, which containers reach (no packet sent)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect(("192.0.2.1", 9))
        address = str(probe.getsockname()[0])
    if address.startswith("127."):
        pytest.fail("no address besides loopback for the containers to reach the stand-in")
    return address


@dataclass
class Stack:
    folder: Path
    project: str
    env: dict[str, str]
    https_port: int

    def compose(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        files = ["-f", "compose.yaml", "-f", "compose.test.yaml"]
        return subprocess.run(
            [COMPOSE, "-p", self.project, *files, *args],
            cwd=self.folder, env=self.env, check=check, capture_output=True, text=True,
        )  # fmt: skip

    def podman(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["podman", *args], env=self.env, check=check, capture_output=True, text=True
        )

    def container(self, service: str) -> str:
        return f"{self.project}_{service}_1"

    def parts(self) -> set[str]:
        """The stack's containers, their volumes (named or anonymous) and its networks."""
        label = f"label=io.podman.compose.project={self.project}"
        names = self.podman("ps", "--all", "--filter", label, "--format", "{{.Names}}")
        found = {f"container:{name}" for name in names.stdout.split()}
        for name in names.stdout.split():
            mounts = self.podman("inspect", name, "--format", "{{range .Mounts}}{{.Name}} {{end}}")
            found |= {f"volume:{volume}" for volume in mounts.stdout.split()}
        networks = self.podman("network", "ls", "--filter", label, "--format", "{{.Name}}")
        return found | {f"network:{name}" for name in networks.stdout.split()}

    def still_there(self, parts: set[str]) -> set[str]:
        there = set()
        for part in parts:
            kind, name = part.split(":", 1)
            command = {"container": ["container", "exists"], "volume": ["volume", "exists"],
                       "network": ["network", "exists"]}[kind]  # fmt: skip
            if self.podman(*command, name, check=False).returncode == 0:
                there.add(part)
        return there


@pytest.fixture
def stack(images: dict[str, str], teams: dict[str, StaffTeam], tmp_path: Path) -> Stack:
    folder = tmp_path / "deploy"
    folder.mkdir()
    for name in ("compose.yaml", "Caddyfile", "setup-secrets.sh"):
        shutil.copy2(ROOT / "deploy" / name, folder / name)
    (folder / "secrets").mkdir(mode=0o700)
    shutil.copy(tmp_path / "config" / "coalitions.yaml", folder / "secrets" / "coalitions.yaml")
    https_port, http_port = free_port(), free_port()
    settings = {
        "BOT_DOMAIN": "localhost",
        "ACME_EMAIL": "operations@example.org",
        "HTTPS_PORT": str(https_port),
        "HTTP_PORT": str(http_port),
        "MINI_APP_NAME": "desk",
        **images,
    }
    (folder / ".env").write_text("".join(f"{k}={v}\n" for k, v in settings.items()))
    conf = tmp_path / "containers.conf"
    conf.write_text(CONTAINERS_CONF)
    env = {**os.environ, "CONTAINERS_CONF": str(conf), "ENGINE": "podman"}
    return Stack(folder, f"complaint-bot-ci-{https_port}", env, https_port)


async def root_certificate(stack: Stack) -> ssl.SSLContext:
    """Caddy's local CA, which signed the certificate for `localhost`. (Meanwhile the bot
    starts, talking to the stand-in on this event loop: nothing here blocks it.)"""
    caddy = stack.container("caddy")
    root = "/data/caddy/pki/authorities/local/root.crt"
    for _ in range(100):
        found = await asyncio.to_thread(stack.podman, "exec", caddy, "cat", root, check=False)
        if found.returncode == 0 and "BEGIN CERTIFICATE" in found.stdout:
            return ssl.create_default_context(cadata=found.stdout)
        await asyncio.sleep(0.3)
    raise AssertionError(f"Caddy made no local CA: {stack.podman('logs', caddy).stderr[-2000:]}")


async def test_compose_brings_up_bot_database_and_tls_front_in_two_commands(
    stack: Stack, standin: BotApiStandIn, teams: dict[str, StaffTeam]
) -> None:
    # The stand-in listens on 127.0.0.1; the bot's container reaches it through a relay on
    # this machine's outward address.
    relay = TcpCut(int(standin.url.rsplit(":", 1)[1]), host=outward_address())
    await relay.start()
    override = {"services": {"bot": {"environment": {
        "TELEGRAM_API_URL": f"http://{relay.host}:{relay.port}",
    }}}}  # fmt: skip
    (stack.folder / "compose.test.yaml").write_text(json.dumps(override))
    # 1. The README's first command: the token asked on standard input, the rest made.
    setup = await asyncio.to_thread(
        subprocess.run,
        ["sh", "setup-secrets.sh"], cwd=stack.folder, env=stack.env, input=TOKEN + "\n",
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert setup.returncode == 0, setup.stderr
    secrets = stack.folder / "secrets"
    secret = (secrets / "webhook_secret_token").read_text()
    assert len(secret) >= 32
    for path in secrets.iterdir():
        assert (path.stat().st_uid, path.stat().st_mode & 0o777) == (10001, 0o400), path.name
    parts: set[str] = set()
    try:
        # 2. The second: compose up (the images are there already, so nothing is built).
        up = await asyncio.to_thread(stack.compose, "up", "-d", "--no-build", check=False)
        parts = stack.parts()
        assert up.returncode == 0, up.stderr[-3000:]
        assert {p.split(":")[0] for p in parts} == {"container", "volume", "network"}
        context = await root_certificate(stack)
        front = f"https://localhost:{stack.https_port}"
        async with httpx.AsyncClient(verify=context, timeout=10) as client:
            refused = None
            for _ in range(300):
                with contextlib.suppress(httpx.HTTPError):
                    refused = await client.post(f"{front}/telegram", json={"update_id": 1})
                    if refused.status_code != 502:  # Caddy is up; is the bot behind it?
                        break
                await asyncio.sleep(0.3)
            assert refused is not None, "Caddy never answered over HTTPS"
            assert refused.status_code == 403, "no secret: refused by the bot, through Caddy"
            wrong = await client.post(
                f"{front}/telegram", json={"update_id": 2}, headers={SECRET_HEADER: "x" * 40}
            )
            assert wrong.status_code == 403
            for inside in ("/healthz", "/readyz", "/metrics"):
                published = await client.get(f"{front}{inside}")
                assert published.status_code == 404, f"{inside} stays inside"
            page = await client.get(f"{front}/desk/")
            assert page.status_code == 200, "the desk Mini App's page, over HTTPS"
            assert "default-src 'none'" in page.headers["content-security-policy"]
            no_proof = await client.get(f"{front}/desk/case/KZ-0000-0000")
            assert no_proof.status_code == 403, "a case's files only with a verified initData"

            user = standin.user(person_id(8), named("Aigerim"), language_code="ru")
            await user.send_command("start")
            (update,) = standin.take_updates()
            taken = await client.post(
                f"{front}/telegram", json=update, headers={SECRET_HEADER: secret}, timeout=60
            )
            assert taken.status_code == 200
            first = [call.params["text"] for call in standin.calls_of("sendMessage")]
            assert first, "the bot in the stack replied"
            redelivered = await client.post(
                f"{front}/telegram", json=update, headers={SECRET_HEADER: secret}, timeout=60
            )
            assert redelivered.status_code == 200
        again = [call.params["text"] for call in standin.calls_of("sendMessage")][len(first) :]
        assert len(again) == 1, "redelivered: not applied again, the step only shown again"
        assert again[0] in first[-1]
        claimed = stack.podman(
            "exec", stack.container("db"), "psql", "-h", "127.0.0.1", "-U", "complaint_bot",
            "-tAc", "SELECT count(*) FROM processed_updates", "complaint_bot",
        )  # fmt: skip
        assert claimed.stdout.strip() == "1", "the update claimed once, in the stack's database"

        # 3. Once: the webhook set at Telegram, with the secret, by a one-off bot container.
        hooked = await asyncio.to_thread(stack.compose, "run", "--rm", "bot", "webhook", "set")
        assert hooked.returncode == 0, hooked.stderr[-2000:]
        (call,) = standin.calls_of("setWebhook")
        assert call.params["url"] == "https://localhost/telegram"
        assert call.params["secret_token"] == secret

        # Health, as the engine and a Kubernetes probe see it: inside the stack.
        bot = stack.container("bot")
        health = stack.podman("healthcheck", "run", bot, check=False)
        assert health.returncode == 0, f"the image's HEALTHCHECK (/healthz): {health.stderr}"
        ready = stack.podman(
            "exec", bot, "python3", "-c",
            "import urllib.request as u;"
            "print(u.urlopen('http://127.0.0.1:8080/readyz', timeout=5).status)",
            check=False,
        )  # fmt: skip
        assert ready.stdout.strip() == "200", f"/readyz: {ready.stderr[-2000:]}"
        database = stack.podman(
            "exec", stack.container("db"), "pg_isready", "-h", "127.0.0.1", "-U", "complaint_bot",
            check=False,
        )  # fmt: skip
        assert database.returncode == 0, "compose's own db healthcheck passes"
        logs = stack.podman("logs", bot).stderr
        assert TOKEN not in logs
        assert secret not in logs
    finally:
        down = await asyncio.to_thread(stack.compose, "down", "-v", "-t", "10", check=False)
        await relay.cut()
    assert down.returncode == 0, down.stderr[-3000:]
    assert stack.still_there(parts) == set(), "nothing left running or stored"
    assert stack.parts() == set(), "nor the one-off container of `compose run`"
