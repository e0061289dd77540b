"""Babel extractors: form files (every text of the form) and the browser desk's TypeScript."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import IO, Any

import yaml

_TEXT_KEYS = ("title", "text", "text_self", "short", "hint", "label")

Extracted = tuple[int, str, str, list[str]]


def extract_form(
    fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Mapping[str, Any]
) -> Iterator[Extracted]:
    root = yaml.compose(fileobj.read().decode("utf-8"))
    if root is not None:
        yield from _walk(root, context="")


def _walk(node: yaml.Node, context: str) -> Iterator[Extracted]:
    if isinstance(node, yaml.MappingNode):
        identity = _identity(node) or context
        for key, value in node.value:
            if key.value in _TEXT_KEYS and isinstance(value, yaml.ScalarNode):
                comment = f"form: {identity} {key.value}".strip()
                yield (value.start_mark.line + 1, "gettext", value.value, [comment])
            else:
                yield from _walk(value, identity)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _walk(item, context)


def _identity(node: yaml.MappingNode) -> str | None:
    for key, value in node.value:
        if key.value in ("id", "code") and isinstance(value, yaml.ScalarNode):
            return str(value.value)
    return None


# `t("...")` in the desk page's TypeScript (desk/src/*.ts): the page's own words, a msgid each.
_DESK_STRING = re.compile(r"""\bt\(\s*(?:"((?:[^"\\\n]|\\.)*)"|'((?:[^'\\\n]|\\.)*)')""")


def desk_strings(sources: Iterable[tuple[str, str]]) -> Iterator[tuple[int, str]]:
    """(line, msgid) of every `t("...")` in (name, text) pairs of TypeScript sources."""
    for _, text in sources:
        for match in _DESK_STRING.finditer(text):
            raw = match.group(1) if match.group(1) is not None else match.group(2)
            line = text.count("\n", 0, match.start()) + 1
            yield line, str(json.loads('"' + raw.replace("\\'", "'") + '"'))


def extract_desk(
    fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Mapping[str, Any]
) -> Iterator[Extracted]:
    """The desk page's words, for the `browser` domain (`bot/locales/browser.pot`)."""
    text = fileobj.read().decode("utf-8")
    for line, msgid in desk_strings([("", text)]):
        yield (line, "gettext", msgid, [])
