"""Flood control: a token bucket per person, keyed by an HMAC whose key changes every day.

Held in memory only: nothing about who sent how much is ever stored, and yesterday's keys are
gone, so even this process cannot link today's buckets to yesterday's.

A message costs one token, a button press a fifth of one: pressing Skip through a long form is
not a flood. A message that is not taken is never dropped silently: each one gets a plain "this
message was not saved, send it again", from a small budget of its own (a few, then one every
few seconds). Past that budget the messages not taken are counted, and one later notice says
how many were not saved (`owed`, then `settle`): the bot's answers stay bounded however fast
someone sends, and still nobody loses a message without being told.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

BUTTON_COST = 0.2
WARNINGS_BURST = 5.0
WARNING_EVERY_SECONDS = 3.0


@dataclass
class _Bucket:
    tokens: float
    updated: float
    warnings: float = WARNINGS_BURST
    unsaid: int = 0


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    warn: bool = False
    # The first message not taken and not answered since the last notice: schedule one notice
    # (`settle`) for when the warning budget has refilled.
    owed: bool = False


class FloodGuard:
    def __init__(
        self,
        *,
        per_second: float = 1.0,
        burst: int = 20,
        clock: Callable[[], float] = time.monotonic,
        today: Callable[[], dt.date] = lambda: dt.datetime.now(dt.UTC).date(),
    ) -> None:
        self._rate = per_second
        self._burst = float(burst)
        self._clock = clock
        self._today = today
        self._day = today()
        self._key = secrets.token_bytes(32)
        self._buckets: dict[bytes, _Bucket] = {}

    def check(self, account_id: int, cost: float = 1.0) -> Verdict:
        """Whether this person's update is taken now; if not, whether to say so."""
        now = self._clock()
        bucket = self._bucket(account_id, now)
        elapsed = now - bucket.updated
        bucket.tokens = min(self._burst, bucket.tokens + elapsed * self._rate)
        bucket.warnings = min(WARNINGS_BURST, bucket.warnings + elapsed / WARNING_EVERY_SECONDS)
        bucket.updated = now
        if bucket.tokens >= cost:
            bucket.tokens -= cost
            return Verdict(True)
        if bucket.warnings >= 1:
            bucket.warnings -= 1
            return Verdict(False, True)
        if cost < 1.0:  # a press not taken leaves its button to press again: nothing is lost
            return Verdict(False)
        bucket.unsaid += 1
        return Verdict(False, owed=bucket.unsaid == 1)

    def settle(self, account_id: int) -> int:
        """How many of this person's messages were not taken and not yet answered; from now on
        they count as said."""
        bucket = self._bucket(account_id, self._clock())
        unsaid, bucket.unsaid = bucket.unsaid, 0
        return unsaid

    def _bucket(self, account_id: int, now: float) -> _Bucket:
        self._rotate()
        key = hmac.new(
            self._key, account_id.to_bytes(8, "big", signed=True), hashlib.sha256
        ).digest()
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(self._burst, now)
            self._forget_idle(now)
        return bucket

    def _rotate(self) -> None:
        today = self._today()
        if today != self._day:
            self._day, self._key, self._buckets = today, secrets.token_bytes(32), {}

    def _forget_idle(self, now: float) -> None:
        if len(self._buckets) % 1024 == 0:
            full_after = self._burst / self._rate
            self._buckets = {k: b for k, b in self._buckets.items() if now - b.updated < full_after}
