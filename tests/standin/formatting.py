"""Telegram's HTML parse mode: marked-up text to plain text plus entities."""

from __future__ import annotations

import html
import re
from typing import Any

HTML_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_TOKEN = re.compile(r"<(/?)([^\s<>/]*)([^<>]*)>|&(?:#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);|<")
_HREF = re.compile(r"""href\s*=\s*(?:"([^"]*)"|'([^']*)')""")


class EntityParseError(ValueError):
    """Marked-up text that Telegram would refuse with "can't parse entities"."""


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def render(text: str, parse_mode: str | None) -> tuple[str, list[dict[str, Any]]]:
    """Return the text a user sees and its entities; only HTML is interpreted."""
    if parse_mode is None or parse_mode.lower() != "html":
        return text, []
    return parse_html(text)


def parse_html(source: str) -> tuple[str, list[dict[str, Any]]]:
    plain: list[str] = []
    offset = 0
    pos = 0
    open_tags: list[tuple[str, dict[str, Any] | None]] = []
    entities: list[dict[str, Any]] = []

    def emit(chunk: str) -> None:
        nonlocal offset
        plain.append(chunk)
        offset += utf16_len(chunk)

    for match in _TOKEN.finditer(source):
        emit(source[pos : match.start()])
        pos = match.end()
        token = match.group(0)
        at = len(source[: match.start()].encode())
        if token.startswith("&"):
            emit(html.unescape(token))
            continue
        name = (match.group(2) or "").lower()
        if token == "<" or not name:
            raise EntityParseError(f'Unexpected "<" at byte offset {at}')
        if match.group(1):
            if not open_tags or open_tags[-1][0] != name:
                expected = f'"</{open_tags[-1][0]}>"' if open_tags else "no end tag"
                raise EntityParseError(
                    f'Unmatched end tag at byte offset {at}, expected {expected}, found "</{name}>"'
                )
            _, closed = open_tags.pop()
            if closed is not None and offset > closed["offset"]:
                entities.append({**closed, "length": offset - closed["offset"]})
            continue
        attributes = match.group(3)
        kind = HTML_TAGS.get(name)
        if kind is None or (name == "span" and "tg-spoiler" not in attributes):
            raise EntityParseError(f'Unsupported start tag "{name}" at byte offset {at}')
        entity: dict[str, Any] | None = {"type": kind, "offset": offset}
        if name == "a":
            href = _HREF.search(attributes)
            entity = {"type": kind, "offset": offset, "url": href[1] or href[2]} if href else None
        open_tags.append((name, entity))
    emit(source[pos:])
    if open_tags:
        raise EntityParseError(
            f'Can\'t find end tag corresponding to start tag "{open_tags[-1][0]}"'
        )
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(plain), entities
