"""Outside tools some tests drive (Debian's minisign, chromium, age): skipped with a reason on a
developer's machine without them, a failure in CI (`.ci/run` installs them)."""

from __future__ import annotations

import os
import shutil

import pytest


def require_tool(name: str, package: str | None = None) -> str:
    found = shutil.which(name)
    if found is not None:
        return found
    reason = f"{name} is not installed (apt-get install {package or name})"
    if os.environ.get("CI"):
        pytest.fail(f"CI must have it: {reason}")
    pytest.skip(reason)
