"""Spooled files in DATA_DIR for a case being packed and sealed, never in clear on disk.

A case package with its attachments can be hundreds of MiB; holding it (and its sealed copy) in
memory made RSS grow with the attachments. The package is written to a temporary file in
DATA_DIR instead, encrypted on the way with AES-256-CTR under a key that exists only in this
process's memory for the spool's life (the file is unlinked at once, so it has no name either),
and read back through the same key while age seals it into a second spooled file (ciphertext).
"""

from __future__ import annotations

import contextlib
import secrets
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO

import pyrage
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from storage.sealing import BadKey, parse_recipient

_IN_MEMORY_UP_TO = 1024 * 1024
_CHUNK = 1024 * 1024


class SealedSpool:
    """Write-once, read-once scratch space for a package: ciphertext on disk, clear in use."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._file: IO[bytes] = tempfile.TemporaryFile(dir=str(folder))  # noqa: SIM115
        key, nonce = secrets.token_bytes(32), secrets.token_bytes(16)
        cipher = Cipher(algorithms.AES(key), modes.CTR(nonce))
        self._encrypt = cipher.encryptor()
        self._decrypt = cipher.decryptor()
        self._written = 0

    # The writing side, as zipfile sees it: an unseekable stream that can tell its position.
    def write(self, data: bytes | bytearray | memoryview) -> int:
        view = memoryview(data).cast("B")  # in slices: no copy of a whole attachment
        for start in range(0, len(view), _CHUNK):
            self._file.write(self._encrypt.update(view[start : start + _CHUNK]))
        self._written += len(view)
        return len(view)

    def tell(self) -> int:
        return self._written

    def flush(self) -> None:
        self._file.flush()

    def seekable(self) -> bool:
        return False

    # The reading side, once written: the clear bytes from the start, in order.
    def rewind(self) -> None:
        self._file.flush()
        self._file.seek(0)

    def read(self, size: int = -1) -> bytes:
        return self._decrypt.update(self._file.read(size))

    def close(self) -> None:
        self._file.close()


@contextlib.contextmanager
def spooled(folder: Path) -> Iterator[SealedSpool]:
    spool = SealedSpool(folder)
    try:
        yield spool
    finally:
        spool.close()


@contextlib.contextmanager
def seal_spool(spool: SealedSpool, recipients: Sequence[str], folder: Path) -> Iterator[IO[bytes]]:
    """Seal what the spool holds to `recipients` with age, streaming into a spooled file (age
    ciphertext, in memory up to 1 MiB, then on disk, unlinked), given open at its start."""
    if not recipients:
        raise BadKey("a case needs at least one recipient")
    spool.rewind()
    keys = [parse_recipient(r) for r in recipients]
    with tempfile.SpooledTemporaryFile(
        max_size=_IN_MEMORY_UP_TO, mode="w+b", dir=str(folder)
    ) as sealed:
        pyrage.encrypt_io(_Reader(spool), sealed, keys)
        sealed.seek(0)
        yield sealed


class _Reader:
    """A minimal readable file for pyrage over the spool."""

    def __init__(self, spool: SealedSpool) -> None:
        self._spool = spool

    def read(self, size: int = -1) -> bytes:
        return self._spool.read(size if size and size > 0 else _CHUNK)

    def readinto(self, buffer: bytearray | memoryview) -> int:
        data = self._spool.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def readable(self) -> bool:
        return True
