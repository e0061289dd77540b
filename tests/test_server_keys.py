import os
import stat
from pathlib import Path

import pytest

from storage.errors import KeyFileError
from storage.server_keys import (
    ServerKeys,
    load_or_create_server_keys,
    load_server_keys,
    write_server_keys,
)
from tests.test_config import run_cli


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
    path.chmod(0o600)
    with pytest.raises(KeyFileError, match="malformed server key file"):
        load_or_create_server_keys(path)


def test_a_key_file_open_to_the_group_or_others_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "server-key.json"
    keys = load_or_create_server_keys(path)
    assert load_server_keys(path) == keys
    for mode in (0o640, 0o604, 0o660, 0o644):
        path.chmod(mode)
        with pytest.raises(KeyFileError, match="open to other users"):
            load_server_keys(path)
    path.chmod(0o600)
    assert load_server_keys(path) == keys


def test_a_symlinked_key_file_is_refused(tmp_path: Path) -> None:
    real = tmp_path / "elsewhere.json"
    load_or_create_server_keys(real)
    link = tmp_path / "server-key.json"
    link.symlink_to(real)
    with pytest.raises(KeyFileError):
        load_server_keys(link)


def test_rotation_never_writes_through_a_planted_temporary(tmp_path: Path) -> None:
    path = tmp_path / "server-key.json"
    keys = load_or_create_server_keys(path)
    victim = tmp_path / "victim.txt"
    victim.write_text("untouched")
    for planted in (path.with_suffix(".tmp"), tmp_path / ".server-key.json.tmp"):
        planted.symlink_to(victim)
    write_server_keys(path, keys.rotated())
    assert victim.read_text() == "untouched"
    rotated = load_server_keys(path)
    assert rotated.handle_key == keys.handle_key
    assert rotated.at_rest_keys[1:] == keys.at_rest_keys
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp") and not p.is_symlink()]


def test_run_with_a_readable_key_file_says_so_in_one_line(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir(mode=0o700)
    key = data / "server-key.json"
    write_server_keys(key, ServerKeys.generate(), exclusive=True)
    key.chmod(0o644)
    env = {
        "PYTHONPATH": str(Path.cwd()),
        "DATA_DIR": str(data),
        "TELEGRAM_BOT_TOKEN": "123456789:AAEexampleexampleexampleexample12",
        "TELEGRAM_API_URL": "http://127.0.0.1:9",
    }
    result = run_cli("run", env=env, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "open to other users (mode 0644)" in result.stderr.strip().splitlines()[-1]
    assert "Traceback" not in result.stderr
    assert os.stat(key).st_mode & 0o777 == 0o644
