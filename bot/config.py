"""Settings, read once from the environment and an optional .env file."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

from pydantic import AnyHttpUrl, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.errors import BotError

_TOKEN = re.compile(r"^\d{3,}:[A-Za-z0-9_-]{20,}$")


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

    @field_validator("telegram_bot_token")
    @classmethod
    def _token_shape(cls, token: SecretStr | None) -> SecretStr | None:
        if token is not None and not _TOKEN.match(token.get_secret_value()):
            raise ValueError("expected a bot token from @BotFather, like 123456789:AAE...")
        return token

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


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as error:
        first = error.errors()[0]
        name = str(first["loc"][0]).upper() if first["loc"] else "settings"
        message = str(first["msg"]).removeprefix("Value error, ")
        raise ConfigError(f"{name}: {message}") from None
