"""The desk's own settings on a staff device: the bot's pinned receipt key, the language.

One small TOML file, by default `%APPDATA%\\complaint-bot\\desk.toml` on Windows and
`~/.config/complaint-bot/desk.toml` elsewhere (or `COMPLAINT_BOT_DESK` names it):

    signer = "RWQ..."        # the bot's receipt key, from the operator, compared out loud
    language = "ru"          # the coalition's language for reports, spreadsheets, statistics
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from bot.desk.errors import DeskError


@dataclass(frozen=True)
class DeskSettings:
    signer: str | None = None
    language: str | None = None
    coalitions_file: Path | None = None


def settings_path() -> Path:
    named = os.environ.get("COMPLAINT_BOT_DESK")
    if named:
        return Path(named)
    if os.name == "nt" and os.environ.get("APPDATA"):
        return Path(os.environ["APPDATA"]) / "complaint-bot" / "desk.toml"
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "complaint-bot" / "desk.toml"


def load_desk_settings(path: Path | None = None) -> DeskSettings:
    path = path or settings_path()
    if not path.is_file():
        return DeskSettings()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise DeskError(f"{path}: cannot read the desk settings ({error})") from None
    coalitions = data.get("coalitions_file")
    return DeskSettings(
        signer=_text(data.get("signer")),
        language=_text(data.get("language")),
        coalitions_file=Path(coalitions) if isinstance(coalitions, str) else None,
    )


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None
