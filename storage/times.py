"""Coarse times for rows that could otherwise join a case to an account by the microsecond."""

from __future__ import annotations

import datetime as dt


def to_the_hour(moment: dt.datetime) -> dt.datetime:
    """The start of the hour: a stored time that says when, but not at which second."""
    return moment.replace(minute=0, second=0, microsecond=0)
