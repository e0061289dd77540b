"""The package spool in DATA_DIR: nothing in clear on disk, and it seals like the in-memory path."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from storage.sealing import new_identity, open_case, read_identities
from storage.spool import seal_spool, spooled

MARK = b"the name of the witness, Gulnara Tokhtarova"


def test_the_spool_keeps_no_clear_byte_on_disk_and_seals_for_the_stock_tools(
    tmp_path: Path,
) -> None:
    secret, public = new_identity()
    with spooled(tmp_path) as spool:
        with zipfile.ZipFile(spool, "w") as archive:
            archive.writestr("case.json", MARK * 1000)
        assert list(tmp_path.iterdir()) == [], "unlinked: no name in DATA_DIR"
        spool.flush()
        raw = spool._file
        raw.seek(0)
        on_disk = raw.read()
        assert len(on_disk) > 1000
        assert MARK not in on_disk
        with seal_spool(spool, [public], tmp_path) as sealed_file:
            sealed = sealed_file.read()
    package = open_case(sealed, read_identities(secret.encode()))
    assert zipfile.ZipFile(io.BytesIO(package)).read("case.json") == MARK * 1000
    assert list(tmp_path.iterdir()) == []
