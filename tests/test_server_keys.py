import stat
from pathlib import Path

import pytest

from storage.errors import KeyFileError
from storage.server_keys import ServerKeys, load_or_create_server_keys, write_server_keys


def test_the_key_file_is_created_once_with_owner_only_access(tmp_path: Path) -> None:
    path = tmp_path / "data" / "server-key.json"
    keys = load_or_create_server_keys(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert load_or_create_server_keys(path) == keys


def test_rotation_is_written_atomically_and_read_back(tmp_path: Path) -> None:
    path = tmp_path / "server-key.json"
    keys = load_or_create_server_keys(path)
    rotated = keys.rotated()
    write_server_keys(path, rotated)
    assert load_or_create_server_keys(path) == rotated
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.parametrize(
    "content",
    ["", "{}", '{"format": "other", "version": 1}', ServerKeys.generate().to_json()[:-20]],
)
def test_a_malformed_key_file_is_refused_clearly(tmp_path: Path, content: str) -> None:
    path = tmp_path / "server-key.json"
    path.write_text(content)
    with pytest.raises(KeyFileError, match="malformed server key file"):
        load_or_create_server_keys(path)
