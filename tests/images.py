"""The images the container tests run, built offline once and kept between runs.

No image registry is reachable from CI, so every image starts from a Debian bookworm base made
with debootstrap (deploy/debian-base.sh, its root file system cached in /var/cache). Each image
is tagged with a digest of what goes into it, so a later run (or the other test module in the
same run) finds it built and only a change to its inputs builds it again:
- the bot (deploy/Dockerfile) from the locked wheels, without any network while building;
- PostgreSQL and Caddy from Debian's packages (deploy/offline-images.sh).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BASE = "localhost/complaint-bot-base:bookworm"
# runc, and limits no higher than this process has: podman would otherwise raise them, which
# needs CAP_SYS_RESOURCE that a sandboxed CI root may lack. Health timers need systemd: off.
RUN = ["podman", "--runtime", "runc", "run", "--rm", "--no-healthcheck",
       "--ulimit", "nofile=4096:4096", "--ulimit", "nproc=4096:4096"]  # fmt: skip
_BOT_INPUTS = ("pyproject.toml", "README.md", "requirements.lock", "requirements-build.lock",
               "deploy/Dockerfile", "bot", "storage")  # fmt: skip


def require_podman(*tools: str) -> None:
    """Skip without the tools on a developer's machine; fail in CI, which installs them."""
    problem = None
    for tool in ("podman", "debootstrap", *tools):
        if shutil.which(tool) is None:
            problem = f"{tool} is not installed (.ci/run installs it)"
            break
    else:
        if os.geteuid() != 0:
            problem = "building the Debian base with debootstrap needs root"
    if problem is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(problem)
        pytest.skip(problem)


def digest(paths: Iterable[str]) -> str:
    """A short digest of files and folders under the repository (names and contents)."""
    hashed = hashlib.sha256()
    for name in paths:
        top = ROOT / name
        files = [top] if top.is_file() else sorted(top.rglob("*"))
        for path in files:
            if path.is_file() and "__pycache__" not in path.parts:
                hashed.update(str(path.relative_to(ROOT)).encode() + b"\0")
                hashed.update(path.read_bytes() + b"\0")
    return hashed.hexdigest()[:12]


def exists(image: str) -> bool:
    found = subprocess.run(["podman", "image", "exists", image], check=False)
    return found.returncode == 0


def base_image() -> str:
    subprocess.run([str(ROOT / "deploy" / "debian-base.sh"), BASE], check=True)
    return BASE


def bot_image(scratch: Path) -> str:
    """deploy/Dockerfile built on the Debian base, with no network: the locked wheels are
    downloaded beforehand into the build context's wheelhouse/."""
    image = f"localhost/complaint-bot:ci-{digest(_BOT_INPUTS)}"
    if exists(image):
        return image
    base = base_image()
    context = scratch / "bot-image"
    context.mkdir()
    for name in ("pyproject.toml", "README.md", "requirements.lock", "requirements-build.lock"):
        shutil.copy(ROOT / name, context / name)
    for name in ("bot", "storage", "deploy"):
        shutil.copytree(ROOT / name, context / name, ignore=shutil.ignore_patterns("__pycache__"))
    wheels = context / "wheelhouse"
    wheels.mkdir()
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--require-hashes",
         "-r", "requirements.lock", "-r", "requirements-build.lock", "-d", str(wheels)],
        cwd=context, check=True,
    )  # fmt: skip
    subprocess.run(
        ["podman", "build", "--quiet", "--format", "docker", "--network", "none", "--layers=false",
         "--build-arg", f"BASE={base}", "--build-arg", "PIP_NO_INDEX=1",
         "-f", "deploy/Dockerfile", "-t", image, "."],
        cwd=context, check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    _drop_older("localhost/complaint-bot", image)
    return image


def offline_image(kind: str) -> str:
    """PostgreSQL or Caddy from Debian's packages, as deploy/offline-images.sh builds them."""
    inputs = [f"deploy/offline/{kind}.Containerfile", "deploy/offline/postgres-entrypoint.sh",
              "deploy/offline-images.sh"]  # fmt: skip
    image = f"localhost/complaint-bot-{kind}:ci-{digest(inputs)}"
    if not exists(image):
        subprocess.run(
            [str(ROOT / "deploy" / "offline-images.sh"), kind],
            env={**os.environ, "BASE": base_image(), f"{kind.upper()}_IMAGE": image},
            check=True,
            stdout=subprocess.DEVNULL,
        )
        _drop_older(f"localhost/complaint-bot-{kind}", image)
    return image


def _drop_older(repository: str, keep: str) -> None:
    """Remove this repository's earlier ci-* images, so a developer's disk does not fill."""
    listed = subprocess.run(
        ["podman", "images", "--format", "{{.Repository}}:{{.Tag}}", repository],
        check=True, capture_output=True, text=True,
    ).stdout.split()  # fmt: skip
    older = [name for name in listed if name != keep and name.split(":")[-1].startswith("ci-")]
    if older:
        subprocess.run(["podman", "rmi", "--force", *older], check=False, capture_output=True)
