"""The server's secret keys, kept in a file outside the database (mode 0600).

The file holds one HMAC key for pseudonymous handles (never rotated: handles must stay stable) and
a list of at-rest keys, newest first. Rotation adds a new key in front; old keys keep opening what
they sealed until it expires (drafts live 48 hours), then can be dropped.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path

from storage.errors import KeyFileError

_FORMAT = "complaint-bot-server-keys"
KEY_BYTES = 32


@dataclass(frozen=True)
class ServerKeys:
    handle_key: bytes
    at_rest_keys: tuple[bytes, ...]

    @classmethod
    def generate(cls) -> ServerKeys:
        return cls(secrets.token_bytes(KEY_BYTES), (secrets.token_bytes(KEY_BYTES),))

    def rotated(self) -> ServerKeys:
        return ServerKeys(self.handle_key, (secrets.token_bytes(KEY_BYTES), *self.at_rest_keys))

    def to_json(self) -> str:
        return json.dumps(
            {
                "format": _FORMAT,
                "version": 1,
                "handle_key": _b64(self.handle_key),
                "at_rest_keys": [_b64(k) for k in self.at_rest_keys],
            },
            indent=2,
        )

    @classmethod
    def from_json(cls, text: str) -> ServerKeys:
        try:
            data = json.loads(text)
            if data.get("format") != _FORMAT or data.get("version") != 1:
                raise ValueError("not a complaint-bot server key file (format/version)")
            handle_key = base64.b64decode(data["handle_key"], validate=True)
            at_rest = tuple(base64.b64decode(k, validate=True) for k in data["at_rest_keys"])
        except (ValueError, KeyError, TypeError) as error:
            raise KeyFileError(f"malformed server key file: {error}") from error
        if len(handle_key) != KEY_BYTES or not at_rest or any(len(k) != KEY_BYTES for k in at_rest):
            raise KeyFileError("malformed server key file: every key must be 32 bytes")
        return cls(handle_key, at_rest)


def load_or_create_server_keys(path: Path) -> ServerKeys:
    """Read the key file; on first start create it (0600, in a 0700 directory)."""
    if path.exists():
        return load_server_keys(path)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    keys = ServerKeys.generate()
    write_server_keys(path, keys, exclusive=True)
    return keys


def load_server_keys(path: Path) -> ServerKeys:
    """Read the key file, refusing it as ssh refuses a private key: not a regular file of this
    user (a symlink included), or open to the group or others."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError as error:
        raise KeyFileError(f"cannot read server key file {path}: {error.strerror}") from error
    with os.fdopen(descriptor, "r", encoding="utf-8") as handle:
        status = os.fstat(handle.fileno())
        if not stat.S_ISREG(status.st_mode):
            raise KeyFileError(f"server key file {path} is not a regular file")
        if status.st_uid != os.geteuid():
            raise KeyFileError(f"server key file {path} belongs to another user")
        if status.st_mode & 0o077:
            mode = stat.S_IMODE(status.st_mode)
            raise KeyFileError(
                f"server key file {path} is open to other users (mode {mode:04o}); "
                f"run chmod 600 on it"
            )
        try:
            text = handle.read()
        except OSError as error:
            raise KeyFileError(f"cannot read server key file {path}: {error.strerror}") from error
    return ServerKeys.from_json(text)


def write_server_keys(path: Path, keys: ServerKeys, *, exclusive: bool = False) -> None:
    """Write the key file (0600). `exclusive` creates it and fails if anything is there; else a
    fresh temporary beside it (a random name, never followed through a symlink) replaces it."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
    temporary = path if exclusive else path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    descriptor = os.open(temporary, flags, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(keys.to_json())
            handle.flush()
            os.fsync(handle.fileno())
        if not exclusive:
            os.replace(temporary, path)
    except BaseException:
        if not exclusive:
            temporary.unlink(missing_ok=True)
        raise
    folder = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
