"""Many sealed files at once (export, stats): open what this identity can, name the rest."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from bot.desk.context import Desk
from bot.desk.errors import DeskError, IdentityError
from bot.desk.sealed import OpenedFile, is_later_file, open_file


@dataclass
class Batch:
    cases: list[OpenedFile] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def open_cases(paths: Iterable[Path], desk: Desk) -> Batch:
    """The cases among `paths`, each once; raises when not one of them opens."""
    batch = Batch()
    seen: set[str] = set()
    tried = 0
    for path in sorted(dict.fromkeys(paths)):
        tried += 1
        if is_later_file(path):
            batch.skipped.append(
                f"{path.name}: skipped: a later file of a case (open it with desk open)"
            )
            continue
        try:
            opened = open_file(path, desk.keyring, desk.signer, desk.limits)
        except IdentityError:
            raise  # a wrong passphrase or a broken identity: nothing else will open either
        except DeskError as error:
            batch.skipped.append(f"{path.name}: skipped: {error}")
            continue
        if not opened.is_case:
            batch.skipped.append(f"{path.name}: skipped: not a case (a message, note or notice)")
            continue
        if opened.reference in seen:
            batch.skipped.append(f"{path.name}: skipped: {opened.reference} is already counted")
            continue
        seen.add(opened.reference)
        if not opened.receipt.verified:
            batch.warnings.append(opened.receipt.line(path.name))
        batch.cases.append(opened)
    if not batch.cases:
        raise DeskError(f"no case could be opened with this identity ({tried} files tried)")
    return batch
