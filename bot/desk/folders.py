"""Writing on the staff device: folders 0700, files 0600, never through a symbolic link.

Opened cases are in clear on the staff member's disk; at least other accounts on the same
computer must not read them, and a link planted in the output folder must not redirect a write.
"""

from __future__ import annotations

import os
from pathlib import Path

from bot.desk.errors import DeskError

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_BINARY = getattr(os, "O_BINARY", 0)


def private_folder(path: Path) -> Path:
    """Create `path` (and missing parents) as 0700; tighten it if it already exists."""
    if path.is_symlink():
        raise DeskError(f"{path} is a symbolic link; choose another folder")
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(path, 0o700)
    except OSError as error:
        raise DeskError(f"cannot create {path}: {error.strerror}") from None
    return path


def write_private(path: Path, data: bytes) -> Path:
    """Write `data` to `path` (0600), replacing a regular file, refusing a link."""
    private_folder(path.parent)
    if path.is_symlink():
        raise DeskError(f"{path} is a symbolic link; refusing to write through it")
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | _NOFOLLOW | _BINARY
    try:
        descriptor = os.open(path, flags, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        os.chmod(path, 0o600)
    except OSError as error:
        raise DeskError(f"cannot write {path}: {error.strerror}") from None
    return path
