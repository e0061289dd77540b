"""Telegram durations (retry_after, voice length), which PTB gives as int seconds or a timedelta."""

from __future__ import annotations

import datetime as dt
import os


def use_timedelta_durations() -> None:
    """Ask python-telegram-bot for durations as timedelta, as its next major version will do.

    Called by the entry points (the CLI, the tests), never at import: importing the bot changes
    nothing in the process.
    """
    os.environ.setdefault("PTB_TIMEDELTA", "true")


def seconds_of(value: int | float | dt.timedelta) -> float:
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)
