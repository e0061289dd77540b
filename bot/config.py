"""Settings, read once from the environment and an optional .env file."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AnyHttpUrl, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.errors import BotError

_TOKEN = re.compile(r"^\d{3,}:[A-Za-z0-9_-]{20,}$")
_SECRET = re.compile(r"^[A-Za-z0-9_-]{16,256}$")
_APP_NAME = re.compile(r"^[A-Za-z0-9_]{3,30}$")


class ConfigError(BotError):
    """A setting is missing or invalid. The message is one line naming the setting."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", frozen=True
    )

    telegram_bot_token: SecretStr | None = None
    telegram_api_url: AnyHttpUrl = AnyHttpUrl("https://api.telegram.org")
    data_dir: Path = Path("data")
    database_url: str | None = None
    coalitions_file: Path | None = None
    server_key_file: Path | None = None
    receipt_key_file: Path | None = None
    form_file: Path | None = None
    draft_lifetime_hours: Annotated[int, Field(ge=1, le=47)] = 47
    delivery_lease_seconds: Annotated[int, Field(ge=1, le=3600)] = 60
    flood_burst: Annotated[int, Field(ge=1, le=100_000)] = 20
    flood_per_second: Annotated[float, Field(gt=0, le=100_000)] = 1.0
    log_level: str = "INFO"
    log_format: Literal["text", "json"] = "text"
    # Webhook mode (`complaint-bot run --webhook`); the flags of `run` override these.
    webhook_url: AnyHttpUrl | None = None
    webhook_secret_token: SecretStr | None = None
    listen_host: str = "127.0.0.1"
    listen_port: Annotated[int, Field(ge=1, le=65535)] = 8080
    webhook_max_connections: Annotated[int, Field(ge=1, le=100)] = 40
    # Polling mode: serve /metrics on LISTEN_HOST:METRICS_PORT (webhook mode serves it itself).
    metrics_port: Annotated[int | None, Field(ge=1, le=65535)] = None
    # Interactive sends per second of one replica: about 25 divided by the number of replicas.
    send_per_second: Annotated[float, Field(gt=0, le=30)] = 25.0
    # Messages one chat may get at once before the one-a-second pace (bot.chat.limits).
    send_chat_burst: Annotated[int, Field(ge=1, le=100_000)] = 3
    # How replicas on PostgreSQL choose the one that runs the periodic jobs (bot.lifecycle).
    leader_election: Literal["advisory-lock", "lease"] = "advisory-lock"
    # The desk Mini App's short name from @BotFather (/newapp, its URL the webhook front's
    # /desk/): set, the front serves the page and sealed files to staff, and case cards link it.
    mini_app_name: str | None = None
    # What all the files of one case may add up to, in MB (MiB). The sealed case goes to the
    # staff chat as one document: Telegram's cloud Bot API takes uploads up to 50 MB, so 45
    # leaves room for the ZIP and age. With a self-hosted Bot API server (2000 MB) raise it.
    case_files_limit_mb: Annotated[int, Field(ge=1, le=1900)] = 45

    @field_validator("telegram_bot_token")
    @classmethod
    def _token_shape(cls, token: SecretStr | None) -> SecretStr | None:
        if token is not None and not _TOKEN.match(token.get_secret_value()):
            raise ValueError("expected a bot token from @BotFather, like 123456789:AAE...")
        return token

    @field_validator("webhook_secret_token")
    @classmethod
    def _secret_shape(cls, secret: SecretStr | None) -> SecretStr | None:
        if secret is not None and not _SECRET.match(secret.get_secret_value()):
            raise ValueError("expected 16 to 256 characters A-Z, a-z, 0-9, _ or -")
        return secret

    @field_validator("mini_app_name")
    @classmethod
    def _app_name_shape(cls, name: str | None) -> str | None:
        if name and not _APP_NAME.match(name):
            raise ValueError("expected the Mini App's short name: 3 to 30 of A-Z, a-z, 0-9 or _")
        return name or None

    @field_validator("database_url")
    @classmethod
    def _database_scheme(cls, url: str | None) -> str | None:
        if url is not None and not url.startswith(("sqlite:", "postgresql", "postgres:")):
            raise ValueError("expected sqlite:///path or postgresql://user@host/db")
        return url

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, level: str) -> str:
        if level.upper() not in ("DEBUG", "INFO", "WARNING", "ERROR"):
            raise ValueError("expected DEBUG, INFO, WARNING or ERROR")
        return level.upper()

    @property
    def case_files_limit_bytes(self) -> int:
        return self.case_files_limit_mb * 1024 * 1024

    @property
    def api_base(self) -> str:
        return str(self.telegram_api_url).rstrip("/")

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'complaint-bot.sqlite3'}"

    @property
    def resolved_server_key_file(self) -> Path:
        return self.server_key_file or self.data_dir / "server-key.json"

    @property
    def resolved_receipt_key_file(self) -> Path:
        return self.receipt_key_file or self.data_dir / "receipt-key.minisign"

    def require_token(self) -> str:
        if self.telegram_bot_token is None:
            raise ConfigError(
                "TELEGRAM_BOT_TOKEN: not set; expected the bot token from @BotFather "
                "(in the environment or in .env)"
            )
        return self.telegram_bot_token.get_secret_value()

    def require_webhook(self) -> tuple[str, str]:
        """The webhook's public URL and secret token, for `run --webhook` and `webhook set`."""
        if self.webhook_url is None or not str(self.webhook_url).startswith("https://"):
            raise ConfigError(
                "WEBHOOK_URL: expected the public https:// URL Telegram posts updates to"
            )
        if self.webhook_secret_token is None:
            raise ConfigError(
                "WEBHOOK_SECRET_TOKEN: not set; expected 16 to 256 characters A-Z, a-z, 0-9, "
                "_ or - (e.g. from `openssl rand -hex 32`)"
            )
        return str(self.webhook_url), self.webhook_secret_token.get_secret_value()


def load_settings(**overrides: object) -> Settings:
    """The settings; `overrides` (command-line flags) win over the environment."""
    given = {name: value for name, value in overrides.items() if value is not None}
    # SECRETS_DIR (containers: /run/secrets): a file named after a setting, e.g.
    # telegram_bot_token, holds its value, so secrets need not sit in the environment.
    secrets_dir = os.environ.get("SECRETS_DIR")
    if secrets_dir and Path(secrets_dir).is_dir():
        given["_secrets_dir"] = secrets_dir
    try:
        return Settings(**given)  # type: ignore[arg-type]
    except ValidationError as error:
        first = error.errors()[0]
        name = str(first["loc"][0]).upper() if first["loc"] else "settings"
        message = str(first["msg"]).removeprefix("Value error, ")
        raise ConfigError(f"{name}: {message}") from None
