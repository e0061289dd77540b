"""The machine-readable Bot API spec and validation of calls against it."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from .formatting import EntityParseError, render
from .model import Upload

_SPEC = Path("shared/reference/telegram-bot-api-10.1.json")
# The project's shared/ sits beside the checkout (CI lays a copy there), else at /work/shared.
SPEC_PATH = next(
    (
        folder / _SPEC
        for folder in (Path(__file__).resolve().parents[3], Path("/work"))
        if (folder / _SPEC).is_file()
    ),
    Path("/work") / _SPEC,
)
ARRAY = "Array of "
PRIMITIVES = {"Integer", "Float", "Boolean", "String", "InputFile"}
PARSE_MODES = {"html", "markdown", "markdownv2"}
BUTTON_DECORATIONS = {"text", "icon_custom_emoji_id", "style"}
BOT_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
MESSAGE_TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
TEXT_LIMITS = {
    ("answerCallbackQuery", "text"): 200,
    ("setMyDescription", "description"): 512,
    ("setMyShortDescription", "short_description"): 120,
    ("setMyName", "name"): 64,
}
_INTEGER = re.compile(r"-?\d+")
_ATTACH = re.compile(r"attach://([\w.-]+)")
_TAG = re.compile(r'(?:must be|always) "?(\w+)"?$')


@dataclass(frozen=True)
class Field:
    name: str
    types: tuple[str, ...]
    required: bool


class Spec:
    """Index over the spec JSON: method and type fields, union subtypes."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.version: str = data["version"]
        self.methods = {name: _fields(entry) for name, entry in data["methods"].items()}
        self.returns = {name: tuple(entry["returns"]) for name, entry in data["methods"].items()}
        self.objects = {
            name: _fields(entry) for name, entry in data["types"].items() if "fields" in entry
        }
        self.unions = {
            name: tuple(entry["subtypes"])
            for name, entry in data["types"].items()
            if "subtypes" in entry
        }
        self.opaque = set(data["types"]) - set(self.objects) - set(self.unions)
        self.tags = {
            name: tag
            for name, entry in data["types"].items()
            if "subtype_of" in entry and (tag := _tag(entry)) is not None
        }
        self._by_lower = {name.lower(): name for name in self.methods}

    def method_name(self, name: str) -> str | None:
        """Telegram method names are case-insensitive; return the canonical spelling."""
        return self._by_lower.get(name.lower())


def _fields(entry: Mapping[str, Any]) -> dict[str, Field]:
    return {
        f["name"]: Field(f["name"], tuple(f["types"]), bool(f["required"]))
        for f in entry.get("fields", [])
    }


def _tag(entry: Mapping[str, Any]) -> tuple[str, str] | None:
    """The field and value that tell a union member apart, e.g. ("type", "commands")."""
    for f in entry["fields"]:
        match = _TAG.search(f["description"])
        if f["name"] in ("type", "source", "status") and match:
            return f["name"], match[1]
    return None


@lru_cache(maxsize=1)
def load_spec(path: Path = SPEC_PATH) -> Spec:
    return Spec(json.loads(path.read_text(encoding="utf-8")))


class Invalid(ValueError):
    def __init__(self, where: str, problem: str) -> None:
        super().__init__(f"{where}: {problem}")
        self.where = where


def validate_call(method: str, raw: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Decode form/JSON parameters of a known method; return them and any problems."""
    spec = load_spec()
    fields = spec.methods[method]
    plain_values = json.dumps([v for v in raw.values() if not isinstance(v, Upload)])
    attached = set(_ATTACH.findall(plain_values))
    params: dict[str, Any] = {}
    problems: list[str] = []
    for name, value in raw.items():
        field = fields.get(name)
        if field is None:
            if isinstance(value, Upload) and name in attached:
                params[name] = value
            else:
                problems.append(f"unknown parameter {name!r}")
            continue
        try:
            params[name] = coerce(spec, value, field.types, name, encoded=True)
        except Invalid as exc:
            problems.append(str(exc))
    missing = [name for name, f in fields.items() if f.required and name not in raw]
    problems += [f"parameter {name!r} is required" for name in missing]
    if not problems:
        problems += check_limits(method, params)
    return params, problems


def validate_value(value: Any, types: Sequence[str]) -> str | None:
    """Check a decoded JSON value (e.g. a result the stand-in produced) against spec types."""
    try:
        coerce(load_spec(), value, tuple(types), "value", encoded=False)
    except Invalid as exc:
        return str(exc)
    return None


def coerce(spec: Spec, value: Any, types: Sequence[str], where: str, *, encoded: bool) -> Any:
    """Validate `value` against any of `types`; return it converted to Python values.

    `encoded` marks a top-level form value, where objects and arrays arrive JSON-serialised.
    """
    if encoded and isinstance(value, str) and PRIMITIVES.isdisjoint(types):
        value = _json(value, where)
    if isinstance(value, dict):
        tagged = [t for t in types if t in spec.tags and _has_tag(value, spec.tags[t])]
        types = tagged or types
    failures: list[Invalid] = []
    for expr in types:
        try:
            return _coerce_one(spec, value, expr, where)
        except Invalid as exc:
            failures.append(exc)
    if len(failures) == 1:
        raise failures[0]
    deepest = max(failures, key=lambda exc: len(exc.where))
    if deepest.where != where:
        raise deepest
    raise Invalid(where, f"expected {' or '.join(types)}")


def _coerce_one(spec: Spec, value: Any, expr: str, where: str) -> Any:
    if expr.startswith(ARRAY):
        if not isinstance(value, list):
            raise Invalid(where, f"expected {expr}")
        item_type = expr[len(ARRAY) :]
        return [
            coerce(spec, item, (item_type,), f"{where}[{i}]", encoded=False)
            for i, item in enumerate(value)
        ]
    if expr in PRIMITIVES:
        return _primitive(value, expr, where)
    if expr in spec.unions:
        return coerce(spec, value, spec.unions[expr], where, encoded=False)
    if not isinstance(value, dict):
        raise Invalid(where, f"expected a JSON object {expr}")
    if expr in spec.opaque:
        return value
    return _coerce_object(spec, value, spec.objects[expr], expr, where)


def _has_tag(obj: Mapping[str, Any], tag: tuple[str, str]) -> bool:
    return obj.get(tag[0]) == tag[1]


def _coerce_object(
    spec: Spec, obj: dict[str, Any], fields: Mapping[str, Field], type_name: str, where: str
) -> dict[str, Any]:
    tag = spec.tags.get(type_name)
    if tag is not None and not _has_tag(obj, tag):
        raise Invalid(where, f"{tag[0]} must be {tag[1]!r} in {type_name}")
    unknown = sorted(obj.keys() - fields.keys())
    if unknown:
        raise Invalid(where, f"unknown field {unknown[0]!r} in {type_name}")
    missing = [name for name, f in fields.items() if f.required and name not in obj]
    if missing:
        raise Invalid(where, f"missing required field {missing[0]!r} in {type_name}")
    return {
        name: coerce(spec, item, fields[name].types, f"{where}.{name}", encoded=False)
        for name, item in obj.items()
    }


def _primitive(value: Any, expr: str, where: str) -> Any:
    if expr == "InputFile":
        if isinstance(value, Upload):
            return value
    elif isinstance(value, Upload):
        pass
    elif expr == "String":
        if isinstance(value, str):
            return value
    elif expr == "Boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
    elif isinstance(value, bool):
        pass
    elif expr == "Integer":
        if isinstance(value, int):
            return value
        if isinstance(value, str) and _INTEGER.fullmatch(value.strip()):
            return int(value)
    elif isinstance(value, (int, float)):
        return float(value)
    elif isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            pass
    raise Invalid(where, f"expected {expr}, got {value!r}")


def _json(value: str, where: str) -> Any:
    try:
        return json.loads(value)
    except json.JSONDecodeError:
        raise Invalid(where, "can't parse JSON") from None


def check_limits(method: str, params: Mapping[str, Any]) -> list[str]:
    """Telegram's documented length and shape limits beyond plain typing."""
    problems: list[str] = []
    parse_mode = params.get("parse_mode")
    if parse_mode is not None and parse_mode.lower() not in PARSE_MODES:
        return [f"unsupported parse_mode {parse_mode!r}"]
    if method in ("sendMessage", "editMessageText") and "text" in params:
        mode = None if "entities" in params else parse_mode
        problems += _formatted_length(params["text"], mode, MESSAGE_TEXT_LIMIT, "text")
    if "caption" in params:
        mode = None if "caption_entities" in params else parse_mode
        problems += _formatted_length(params["caption"], mode, CAPTION_LIMIT, "caption")
    for (limited_method, name), limit in TEXT_LIMITS.items():
        if limited_method == method and len(params.get(name, "")) > limit:
            problems.append(f"{name} is too long ({len(params[name])} > {limit} characters)")
    markup = params.get("reply_markup")
    if isinstance(markup, dict) and "inline_keyboard" in markup:
        problems += _inline_keyboard_problems(markup["inline_keyboard"])
    if method == "setMyCommands":
        problems += _command_problems(params["commands"])
    if method == "deleteMessages" and not 1 <= len(params["message_ids"]) <= 100:
        problems.append("message_ids must contain 1-100 identifiers")
    return problems


def _formatted_length(text: str, parse_mode: str | None, limit: int, name: str) -> list[str]:
    try:
        visible, _ = render(text, parse_mode)
    except EntityParseError as exc:
        return [f"can't parse entities: {exc}"]
    if name == "text" and not visible.strip():
        return ["message text is empty"]
    if len(visible) > limit:
        what = "message is too long" if name == "text" else "message caption is too long"
        return [f"{what} ({len(visible)} > {limit} characters)"]
    return []


def _inline_keyboard_problems(rows: list[list[dict[str, Any]]]) -> list[str]:
    problems: list[str] = []
    for r, row in enumerate(rows):
        for c, button in enumerate(row):
            where = f"reply_markup.inline_keyboard[{r}][{c}]"
            actions = sorted(button.keys() - BUTTON_DECORATIONS)
            if len(actions) != 1:
                problems.append(f"{where}: exactly one action field is required, got {actions}")
            if not button["text"]:
                problems.append(f"{where}: button text must be non-empty")
            data = button.get("callback_data")
            if data is not None and not 1 <= len(data.encode()) <= 64:
                problems.append(
                    f"BUTTON_DATA_INVALID: {where}.callback_data must be 1-64 bytes, "
                    f"got {len(data.encode())}"
                )
    return problems


def _command_problems(commands: list[dict[str, Any]]) -> list[str]:
    problems: list[str] = []
    if len(commands) > 100:
        problems.append("at most 100 commands are allowed")
    for i, command in enumerate(commands):
        if not BOT_COMMAND.fullmatch(command["command"]):
            problems.append(
                f"BOT_COMMAND_INVALID: commands[{i}].command {command['command']!r} must be "
                "1-32 lowercase letters, digits or underscores"
            )
        if not 1 <= len(command["description"]) <= 256:
            problems.append(f"commands[{i}].description must be 1-256 characters")
    return problems
