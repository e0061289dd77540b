"""What every desk command shares: the identity, the pinned signer, the language, the form."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import minisign

from bot.cases.directory_file import CoalitionsError, load_coalitions
from bot.desk.errors import DeskError
from bot.desk.labels import Words
from bot.desk.limits import Limits
from bot.desk.receipts import load_signer
from bot.desk.sealed import Keyring, staff_keys
from bot.desk.settings import DeskSettings
from bot.intake.form import Form
from bot.intake.loader import load_form


@dataclass
class Desk:
    keyring: Keyring
    signer: minisign.PublicKey | None = None
    language: str | None = None
    coalition_languages: dict[str, str] = field(default_factory=dict)
    form: Form = field(default_factory=load_form)
    limits: Limits = field(default_factory=Limits)

    @classmethod
    def build(
        cls,
        identity: Path,
        ask_passphrase: Callable[[], str],
        settings: DeskSettings | None = None,
        *,
        signer: str | None = None,
        language: str | None = None,
        coalitions_file: Path | None = None,
        limits: Limits | None = None,
    ) -> Desk:
        settings = settings or DeskSettings()
        pinned = signer or settings.signer
        languages: dict[str, str] = {}
        coalitions = coalitions_file or settings.coalitions_file
        if coalitions is not None:
            try:
                directory = load_coalitions(coalitions, staff_keys())
            except CoalitionsError as error:
                raise DeskError(str(error)) from None
            languages = {c.id: c.language for c in directory.coalitions}
        return cls(
            Keyring(identity, ask_passphrase),
            load_signer(pinned) if pinned else None,
            language or settings.language,
            languages,
            limits=limits or Limits(),
        )

    def language_for(self, coalition_id: str | None) -> str:
        if self.language:
            return self.language
        return self.coalition_languages.get(coalition_id or "", "en")

    def words(self, coalition_id: str | None = None) -> Words:
        return Words(self.language_for(coalition_id), self.form)
