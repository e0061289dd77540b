"""Reading a form file (YAML) into a validated Form."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import yaml
from pydantic import ValidationError

from bot.errors import BotError
from bot.intake.form import Form


class FormError(BotError):
    """The form file cannot be read or is not a valid form."""


def default_form_path() -> Path:
    return Path(str(resources.files("bot") / "forms" / "default.yaml"))


def load_form(path: Path | None = None) -> Form:
    source = path or default_form_path()
    try:
        data = yaml.safe_load(source.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise FormError(f"{source}: {error}") from error
    try:
        return Form.model_validate(data)
    except ValidationError as error:
        details = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors()[:5]
        )
        raise FormError(f"{source}: {details}") from error
