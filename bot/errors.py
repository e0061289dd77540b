"""The bot's exception tree: every error the bot package raises on purpose derives from BotError.

    BotError
    ├── ConfigError          a setting is missing or invalid (bot.config)
    ├── CoalitionsError      the coalitions file is missing or invalid (bot.cases.directory_file)
    ├── FormError            the form file cannot be read or is not a valid form (bot.intake.loader)
    ├── SchemaBehind         the database needs `complaint-bot db upgrade` first (bot.wiring)
    └── AttachmentRefused    a file a complainant sent cannot be taken (bot.chat.attachments)

The command line turns each into one clear line and exit status 2; none carries content a
complainant typed. Storage has its own tree (storage.errors.StorageError), which the bot never
wraps: a caller that must tell them apart catches both.
"""

from __future__ import annotations


class BotError(Exception):
    """Base of every error the bot package raises on purpose."""


class SchemaBehind(BotError):
    """The database is not at the newest migration; read-only commands never migrate it."""

    def __init__(self) -> None:
        super().__init__(
            "the database schema is behind this version; run `complaint-bot db upgrade` first"
        )
