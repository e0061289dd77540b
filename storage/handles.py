"""Pseudonymous handles: the only form in which a Telegram account id reaches the database."""

from __future__ import annotations

import hashlib
import hmac


def account_handle(handle_key: bytes, account_id: int) -> str:
    digest = hmac.new(handle_key, f"telegram-account:{account_id}".encode(), hashlib.sha256)
    return digest.hexdigest()
