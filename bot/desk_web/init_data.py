"""Telegram Mini App `initData`: verify it, then decide who may fetch a case's sealed file.

Pure functions: no HTTP framework, no database. The webhook front's routes (`mini_app.py`)
verify initData here; the fetch itself goes through Casework, whose rule for a Mini App user (their
private chat) is `may_fetch_sealed`'s, and which audits it like `/case REF`. The verification
follows Telegram's documentation ("Validating data received via the Mini App"):
the data-check-string is every field but `hash`, as `key=value` lines sorted by key; the secret
key is HMAC-SHA256 of the bot token keyed with "WebAppData"; `hash` must be the hex HMAC-SHA256
of the data-check-string under that secret key. `auth_date` must also be recent, so a captured
initData stops working.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import parse_qsl

from bot.cases.coalitions import CoalitionDirectory

DEFAULT_MAX_AGE = dt.timedelta(hours=1)
# A little clock skew between Telegram and this server is tolerated, not more.
_SKEW = dt.timedelta(minutes=5)


class InitDataRejected(Exception):
    """The initData is forged, malformed or too old; the message says which, for logs only."""


@dataclass(frozen=True)
class MiniAppUser:
    user_id: int
    language_code: str | None
    auth_date: dt.datetime
    start_param: str | None


def _secret_key(bot_token: str) -> bytes:
    return hmac.new(b"WebAppData", bot_token.encode(), hashlib.sha256).digest()


def sign_init_data(fields: dict[str, str], bot_token: str) -> str:
    """The `hash` Telegram would put on these fields (for tests and the stand-in)."""
    check = "\n".join(f"{key}={fields[key]}" for key in sorted(fields) if key != "hash")
    return hmac.new(_secret_key(bot_token), check.encode(), hashlib.sha256).hexdigest()


def verify_init_data(
    init_data: str,
    bot_token: str,
    now: dt.datetime,
    max_age: dt.timedelta = DEFAULT_MAX_AGE,
) -> MiniAppUser:
    """The Telegram user who opened the Mini App, or InitDataRejected."""
    try:
        pairs = parse_qsl(init_data, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        raise InitDataRejected("not a query string") from None
    fields = dict(pairs)
    if len(fields) != len(pairs):
        raise InitDataRejected("a field is repeated")
    given = fields.get("hash", "")
    if not hmac.compare_digest(sign_init_data(fields, bot_token), given):
        raise InitDataRejected("hash does not match: forged, or signed for another bot")
    try:
        auth_date = dt.datetime.fromtimestamp(int(fields["auth_date"]), dt.UTC)
        user = json.loads(fields["user"])
        user_id = int(user["id"])
    except (KeyError, ValueError, TypeError):
        raise InitDataRejected("auth_date or user missing or malformed") from None
    if auth_date > now + _SKEW:
        raise InitDataRejected("auth_date is in the future")
    if now - auth_date > max_age:
        raise InitDataRejected("expired: auth_date is too old")
    language = user.get("language_code")
    return MiniAppUser(
        user_id=user_id,
        language_code=language if isinstance(language, str) else None,
        auth_date=auth_date,
        start_param=fields.get("start_param"),
    )


def may_fetch_sealed(
    user: MiniAppUser, case_coalition_id: str | None, directory: CoalitionDirectory
) -> bool:
    """Only staff of the case's own coalition get its sealed file (still sealed: the page
    decrypts it). An unknown case, a removed coalition or anyone else: no, all alike."""
    coalition = directory.find(case_coalition_id)
    return coalition is not None and user.user_id in coalition.staff_user_ids


def staff_user_ids(directory: CoalitionDirectory) -> Iterable[int]:
    """Everyone who may open the desk Mini App at all (before naming a case)."""
    return sorted({uid for c in directory.coalitions for uid in c.staff_user_ids})


_START_PARAM = re.compile(r"^[A-Za-z0-9_-]{1,512}$")


def mini_app_link(bot_username: str, app_name: str, reference: str) -> str:
    """The direct Mini App link for a staff card's button (a `web_app` button works only in
    private chats; a staff group needs this link). The page reads the reference back from
    initData's `start_param` and asks the front for that case's sealed file."""
    if not _START_PARAM.match(reference):
        raise ValueError("a start parameter holds only letters, digits, _ and -")
    return f"https://t.me/{bot_username}/{app_name}?startapp={reference}"
