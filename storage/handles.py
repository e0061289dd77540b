"""Pseudonymous handles: the only form in which a Telegram account id reaches the database."""

from __future__ import annotations

import hashlib
import hmac


def account_handle(handle_key: bytes, account_id: int) -> str:
    digest = hmac.new(handle_key, f"telegram-account:{account_id}".encode(), hashlib.sha256)
    return digest.hexdigest()


def staff_pseudonym(handle_key: bytes, account_id: int) -> str:
    """How the audit log and case lists name a person acting on cases: stable, not reversible."""
    digest = hmac.new(handle_key, f"staff-account:{account_id}".encode(), hashlib.sha256)
    return "s-" + digest.hexdigest()[:12]


def chat_lock_key(handle_key: bytes, chat_id: int, purpose: str = "chat-lock") -> int:
    """A chat's advisory lock key: keyed, so pg_locks does not show which chat is busy. Each
    purpose has keys of its own (one session must not wait for its own other lock)."""
    digest = hmac.new(handle_key, f"{purpose}:{chat_id}".encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big", signed=True)
