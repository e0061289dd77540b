"""Telegram durations (retry_after), which PTB gives as int seconds or as a timedelta."""

from __future__ import annotations

import datetime as dt


def seconds_of(value: int | float | dt.timedelta) -> float:
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)
