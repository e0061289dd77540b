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
