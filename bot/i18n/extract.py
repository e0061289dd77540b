"""A Babel extractor for form files, so `pybabel extract` finds every text of the form."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
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
