"""Reading the coalitions file (COALITIONS_FILE), and writing a demo one for a first try."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Protocol

import yaml
from babel import Locale
from pydantic import ValidationError

from bot.cases.coalitions import CoalitionDirectory
from bot.errors import BotError

DEMO_COALITIONS: tuple[tuple[str, str, list[str]], ...] = (
    ("kz", "NGO Coalition against Torture in Kazakhstan", ["KZ"]),
    ("kg", "NGO Coalition against Torture in Kyrgyzstan", ["KG"]),
    ("tj", "Civil Society Coalition against Torture and Impunity in Tajikistan", ["TJ"]),
    ("uz", "Association for Human Rights in Central Asia (AHRCA)", ["UZ"]),
    ("tm", "Turkmen Initiative for Human Rights (TIHR)", ["TM"]),
    ("intl", "International partner (fallback)", []),
)


class StaffKeys(Protocol):
    """The age keys of staff, as far as the coalitions file needs them."""

    def is_recipient(self, text: str) -> bool:
        """Whether this is a well-formed age public key (age1..., checksum included)."""
        ...

    def new_identity(self) -> tuple[str, str]:
        """A fresh identity: (secret `AGE-SECRET-KEY-1...`, public `age1...`)."""
        ...

    def fingerprint(self, recipient: str) -> str: ...


class CoalitionsError(BotError):
    """The coalitions file is missing or invalid; the message says where and why."""


@cache
def _countries() -> frozenset[str]:
    codes = (str(code) for code in Locale("en").territories)
    return frozenset(code for code in codes if len(code) == 2 and code.isalpha())


def load_coalitions(path: Path, keys: StaffKeys) -> CoalitionDirectory:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise CoalitionsError(f"{path}: cannot read ({error.strerror})") from None
    except yaml.YAMLError as error:
        raise CoalitionsError(f"{path}: not valid YAML ({error})") from None
    try:
        directory = CoalitionDirectory.model_validate(data)
    except ValidationError as error:
        problem = error.errors()[0]
        where = ".".join(str(part) for part in problem["loc"])
        message = str(problem["msg"]).removeprefix("Value error, ")
        if "pattern" in message and "recipients" in where:
            message = "malformed key: expected an age public key (age1...)"
        raise CoalitionsError(f"{path}: {where or 'file'}: {message}") from None
    for coalition in directory.coalitions:
        for country in coalition.countries:
            if country not in _countries():
                raise CoalitionsError(
                    f"{path}: coalition {coalition.id}: unknown country code {country}"
                )
        for recipient in coalition.recipients:
            if not keys.is_recipient(recipient):
                raise CoalitionsError(
                    f"{path}: coalition {coalition.id}: malformed key {recipient[:12]}..."
                )
    return directory


def write_demo_coalitions(
    path: Path, keys_dir: Path, keys: StaffKeys
) -> list[tuple[str, Path, str]]:
    """A demo coalitions file with one fresh, unprotected identity per coalition.

    Returns (coalition id, identity file, fingerprint) for each. Everything is marked DEMO:
    real complaints must never be sent to keys that sit on the server.
    """
    keys_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    coalitions = []
    written = []
    for number, (coalition_id, name, countries) in enumerate(DEMO_COALITIONS, start=1):
        secret, public = keys.new_identity()
        key_file = keys_dir / f"{coalition_id}.demo-key.txt"
        descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(
                f"# DEMO identity for {name}. Not for real cases.\n"
                f"# public key: {public}\n{secret}\n"
            )
        coalitions.append(
            {
                "id": coalition_id,
                "name": f"[DEMO] {name}",
                "countries": countries,
                "staff_chat_id": -1001000000000 - number,
                "staff_user_ids": [],
                "recipients": [public],
                "demo": True,
                "help": {
                    "en": "[DEMO] Here the coalition's hotline and opening hours would be shown."
                },
                **({"reference_code": "XX"} if not countries else {}),
            }
        )
        written.append((coalition_id, key_file, keys.fingerprint(public)))
    header = (
        "# DEMO coalitions, written by `complaint-bot init`. The identities that open these\n"
        "# cases are in the demo key folder on this machine, so the server CAN read demo cases.\n"
        "# Replace every recipient with the public keys of real staff (`complaint-bot keys new`\n"
        "# on their own devices) and set the real staff_chat_id before taking real complaints.\n"
    )
    document = yaml.safe_dump(
        {"coalitions": coalitions, "fallback": "intl"}, sort_keys=False, allow_unicode=True
    )
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.write_text(header + document, encoding="utf-8")
    return written
