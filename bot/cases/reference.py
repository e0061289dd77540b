"""Case references: `CC-XXXX-XXXX`, random Crockford base32, never sequential."""

from __future__ import annotations

import re
import secrets

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_SHAPE = r"[A-Z]{2}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}"
PATTERN = re.compile(f"^{_SHAPE}$")
IN_TEXT = re.compile(rf"\b{_SHAPE}\b")


def new_reference(prefix: str) -> str:
    body = "".join(secrets.choice(CROCKFORD) for _ in range(8))
    return f"{prefix}-{body[:4]}-{body[4:]}"


def normalise_reference(text: str) -> str | None:
    """What a person typed, read leniently (case, O/0, I/L/1), or None if it is no reference."""
    cleaned = text.strip().upper().replace("O", "0").replace("I", "1").replace("L", "1")
    if len(cleaned) >= 2:
        cleaned = text.strip().upper()[:2] + cleaned[2:]
    return cleaned if PATTERN.match(cleaned) else None
