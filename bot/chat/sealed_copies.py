"""Sealed files copied out of the database to be sent, one chunk in memory at a time.

A case can be as large as the case limit allows (45 MB by default, up to 1900 MB with a
self-hosted Bot API server). It is copied, chunk by chunk, into an unlinked scratch file in
DATA_DIR (age ciphertext only: nothing in clear touches the disk), and the upload streams from
that file (bot.chat.telegram_request). Each chunk is read in its own short transaction, so on
SQLite the write lock is never held for the whole copy.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO

from bot.cases.ports import CaseUnitOfWork


def scratch_file(folder: Path | None) -> IO[bytes]:
    """An unlinked temporary file (in `folder`, 0700, if given)."""
    if folder is not None:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return tempfile.TemporaryFile(dir=None if folder is None else str(folder))


def copy_out(
    units: Callable[[], CaseUnitOfWork], reference: str, number: int, folder: Path | None
) -> IO[bytes] | None:
    """The sealed file in a scratch file, open at its start; None if it is gone (purged)."""
    with units() as unit:
        chunks = unit.cases.sealed_chunks(reference, number)
    if chunks is None:
        return None
    target = scratch_file(folder)
    try:
        for seq in range(chunks):
            with units() as unit:
                piece = unit.cases.sealed_chunk(reference, number, seq)
            if piece is None:  # purged while being copied
                target.close()
                return None
            target.write(piece)
        target.seek(0)
    except BaseException:
        target.close()
        raise
    return target
