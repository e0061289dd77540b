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
    try:
        return ServerKeys.from_json(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise KeyFileError(f"cannot read server key file {path}: {error.strerror}") from error


def write_server_keys(path: Path, keys: ServerKeys, *, exclusive: bool = False) -> None:
    flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if exclusive else os.O_TRUNC)
    temporary = path if exclusive else path.with_suffix(".tmp")
    descriptor = os.open(temporary, flags, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(keys.to_json())
        handle.flush()
        os.fsync(handle.fileno())
    if not exclusive:
        os.replace(temporary, path)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
