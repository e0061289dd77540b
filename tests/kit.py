"""What the unit tests of the case services share: units of work, a clock, coalitions with
identities the tests hold, and a way to read what was sealed to them."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pyrage

from bot.cases.coalitions import CoalitionDirectory
from storage.at_rest import AtRestSealer, PurposeSeal
from storage.cases import RELAY_PURPOSE
from storage.memory import MemoryUnitOfWork
from storage.sealing import new_identity, open_case
from storage.server_keys import ServerKeys
from storage.unit_of_work import SqlUnitOfWork

Unit = MemoryUnitOfWork | SqlUnitOfWork
Units = Callable[[], Unit]

NOW = dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.UTC)
# Realistic Telegram ids (9-10 digits), so no scan or comparison matches by chance.
KZ_STAFF = 5_204_118_937
KZ_STAFF_2 = 5_204_118_938
TJ_STAFF = 6_381_442_019
KZ_CHAT = -1_001_845_220_131
TJ_CHAT = -1_001_845_220_377
OUTSIDER = 7_713_904_265


@dataclass
class Clock:
    now: dt.datetime = NOW

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


@dataclass(frozen=True)
class Coalitions:
    directory: CoalitionDirectory
    identities: dict[str, pyrage.x25519.Identity]

    def open(self, coalition_id: str, sealed: bytes) -> bytes:
        return open_case(sealed, [self.identities[coalition_id]])

    def manifest(self, coalition_id: str, sealed: bytes, name: str = "message.json") -> Any:
        """The JSON manifest of a sealed follow-up file (a note, message or notice)."""
        with zipfile.ZipFile(io.BytesIO(self.open(coalition_id, sealed))) as archive:
            return json.loads(archive.read(name))


def coalitions() -> Coalitions:
    keys = {cid: new_identity() for cid in ("kz", "tj")}
    directory = CoalitionDirectory.model_validate(
        {
            "coalitions": [
                {"id": "kz", "name": "KZ coalition", "countries": ["KZ"],
                 "staff_chat_id": KZ_CHAT, "staff_user_ids": [KZ_STAFF, KZ_STAFF_2],
                 "recipients": [keys["kz"][1]], "retention_days": 90, "language": "en"},
                {"id": "tj", "name": "TJ coalition", "countries": ["TJ"],
                 "staff_chat_id": TJ_CHAT, "staff_user_ids": [TJ_STAFF],
                 "recipients": [keys["tj"][1]], "language": "en"},
            ],
            "fallback": "kz",
        }
    )  # fmt: skip
    identities = {cid: pyrage.x25519.Identity.from_str(secret) for cid, (secret, _) in keys.items()}
    return Coalitions(directory, identities)


def relay_seal() -> PurposeSeal:
    return PurposeSeal(AtRestSealer(ServerKeys.generate().at_rest_keys), RELAY_PURPOSE)


def add_case(
    units: Units, reference: str, coalition_id: str = "kz", urgency: str = "medium",
    received_on: dt.date | None = None, sealed: bytes = b"sealed case",
) -> None:  # fmt: skip
    with units() as unit:
        unit.cases.add(reference, coalition_id, urgency, received_on or NOW.date(), sealed)
        unit.commit()
