import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import ConfigError, Settings, load_settings

TOKEN = "123456789:AAEexampleexampleexampleexample12"


def test_defaults_give_a_sqlite_database_in_the_data_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("DATA_DIR", "/srv/bot")
    settings = Settings(_env_file=None)
    assert settings.resolved_database_url == "sqlite:////srv/bot/complaint-bot.sqlite3"
    assert settings.resolved_server_key_file == Path("/srv/bot/server-key.json")
    assert settings.api_base == "https://api.telegram.org"


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("TELEGRAM_BOT_TOKEN", "not-a-token", "TELEGRAM_BOT_TOKEN: expected a bot token"),
        ("TELEGRAM_API_URL", "ftp://x", "TELEGRAM_API_URL: "),
        ("DATABASE_URL", "mysql://x", "DATABASE_URL: expected sqlite:///path or postgresql://"),
        ("DRAFT_LIFETIME_HOURS", "72", "DRAFT_LIFETIME_HOURS: "),
        ("MINI_APP_NAME", "https://t.me/bot/desk", "MINI_APP_NAME: expected the Mini App's short"),
    ],
)
def test_an_invalid_setting_names_itself(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert str(caught.value).startswith(expected)
    assert "\n" not in str(caught.value)


def test_the_mini_app_name_is_optional(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MINI_APP_NAME", "")
    assert load_settings().mini_app_name is None
    monkeypatch.setenv("MINI_APP_NAME", "case_desk")
    assert load_settings().mini_app_name == "case_desk"


def run_cli(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "HOME": str(cwd), **env},
        cwd=cwd,
        timeout=60,
        check=False,
    )


def test_run_without_a_token_says_so_in_one_line_and_exits_2(tmp_path: Path) -> None:
    result = run_cli("run", env={"PYTHONPATH": str(Path.cwd())}, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "complaint-bot: TELEGRAM_BOT_TOKEN: not set; expected the bot token from @BotFather "
        "(in the environment or in .env)"
    ]
    assert "Traceback" not in result.stderr


def test_an_invalid_token_in_dotenv_is_named_without_echoing_it(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("TELEGRAM_BOT_TOKEN=oops-secret\n")
    result = run_cli("run", env={"PYTHONPATH": str(Path.cwd())}, cwd=tmp_path)
    assert result.returncode == 2
    assert "TELEGRAM_BOT_TOKEN: expected a bot token" in result.stderr
    assert "oops-secret" not in result.stderr + result.stdout


@pytest.mark.parametrize("command", [[], ["run"], ["check"], ["try"], ["db"], ["db", "upgrade"]])
def test_every_command_has_help(tmp_path: Path, command: list[str]) -> None:
    result = run_cli(*command, "--help", env={"PYTHONPATH": str(Path.cwd())}, cwd=tmp_path)
    assert result.returncode == 0
    assert "usage: complaint-bot" in result.stdout


def test_db_upgrade_creates_the_database(tmp_path: Path) -> None:
    env = {"PYTHONPATH": str(Path.cwd()), "DATA_DIR": str(tmp_path / "data")}
    result = run_cli("db", "upgrade", env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "data" / "complaint-bot.sqlite3").exists()
    assert "database: up to date" in result.stdout


def test_check_reports_translations_and_passes_with_a_token(tmp_path: Path) -> None:
    env = {"PYTHONPATH": str(Path.cwd()), "TELEGRAM_BOT_TOKEN": TOKEN}
    result = run_cli("check", env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "translation ru: " in result.stdout
    assert "offered" in result.stdout
