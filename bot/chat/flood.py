"""Flood control: a token bucket per person, keyed by an HMAC whose key changes every day.

Held in memory only: nothing about who sent how much is ever stored, and yesterday's keys are
gone, so even this process cannot link today's buckets to yesterday's.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class _Bucket:
    tokens: float
    updated: float
    warned: bool = False


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    warn: bool = False


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

    def check(self, account_id: int) -> Verdict:
        self._rotate()
        now = self._clock()
        key = hmac.new(
            self._key, account_id.to_bytes(8, "big", signed=True), hashlib.sha256
        ).digest()
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(self._burst, now)
            self._forget_idle(now)
        bucket.tokens = min(self._burst, bucket.tokens + (now - bucket.updated) * self._rate)
        bucket.updated = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            bucket.warned = False
            return Verdict(True)
        warn = not bucket.warned
        bucket.warned = True
        return Verdict(False, warn)

    def _rotate(self) -> None:
        today = self._today()
        if today != self._day:
            self._day, self._key, self._buckets = today, secrets.token_bytes(32), {}

    def _forget_idle(self, now: float) -> None:
        if len(self._buckets) % 1024 == 0:
            full_after = self._burst / self._rate
            self._buckets = {k: b for k, b in self._buckets.items() if now - b.updated < full_after}
