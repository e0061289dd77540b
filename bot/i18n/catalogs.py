"""Loading the .po catalogs and handing out one translator per language.

Catalogs are compiled in memory at start-up (Babel), so the .po files are the only source: there is
no stale .mo to forget. A language is offered to complainants only when its catalog translates
every message of the template; the rest still load, so translators can try them with
`complaint-bot try --language xx`.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

SOURCE_LANGUAGE = "en"
# In the order the picker shows them: Russian first (read by most, in every country of the region),
# then the region's languages in alphabetical order of their codes (Uzbek in both scripts, Latin,
# the official one, first), English last.
LANGUAGE_NAMES: dict[str, str] = {
    "ru": "Русский",
    "kk": "Қазақша",
    "ky": "Кыргызча",
    "tg": "Тоҷикӣ",
    "uz": "Oʻzbekcha",
    "uz_Cyrl": "Ўзбекча",
    "tk": "Türkmençe",
    "en": "English",
}
DEFAULT_LANGUAGE = "ru"
DOMAIN = "messages"


class Translator:
    def __init__(self, language: str, translations: Translations | None) -> None:
        self.language = language
        self._translations = translations

    def gettext(self, message: str, **params: object) -> str:
        text = self._translations.ugettext(message) if self._translations else message
        return text.format(**params) if params else text

    def ngettext(self, singular: str, plural: str, n: int, **params: object) -> str:
        if self._translations:
            text = self._translations.ungettext(singular, plural, n)
        else:
            text = singular if n == 1 else plural
        return text.format(n=n, **params)


@dataclass(frozen=True)
class Coverage:
    language: str
    translated: int
    total: int

    @property
    def complete(self) -> bool:
        return self.translated == self.total


class Catalogs:
    def __init__(self, template: Catalog, catalogs: dict[str, Catalog]) -> None:
        self._template_ids = {m.id for m in template if m.id}
        self._catalogs = catalogs
        self._translators = {SOURCE_LANGUAGE: Translator(SOURCE_LANGUAGE, None)} | {
            language: Translator(language, _compiled(catalog))
            for language, catalog in catalogs.items()
        }
        self.offered: tuple[str, ...] = tuple(
            language
            for language in LANGUAGE_NAMES
            if language == SOURCE_LANGUAGE or self.coverage(language).complete
        )

    @classmethod
    def load(cls, directory: Path | None = None) -> Catalogs:
        root = directory or default_locales_dir()
        with (root / f"{DOMAIN}.pot").open("rb") as handle:
            template = read_po(handle)
        catalogs = {}
        for language in LANGUAGE_NAMES:
            path = root / language / "LC_MESSAGES" / f"{DOMAIN}.po"
            if language != SOURCE_LANGUAGE and path.exists():
                with path.open("rb") as handle:
                    catalogs[language] = read_po(handle, locale=language)
        return cls(template, catalogs)

    def translator(self, language: str) -> Translator:
        return self._translators.get(language) or self._translators[SOURCE_LANGUAGE]

    def coverage(self, language: str) -> Coverage:
        total = len(self._template_ids)
        if language == SOURCE_LANGUAGE:
            return Coverage(language, total, total)
        catalog = self._catalogs.get(language)
        if catalog is None:
            return Coverage(language, 0, total)
        translated = sum(
            1
            for message in catalog
            if message.id in self._template_ids
            and _is_translated(message.string)
            and not message.fuzzy
        )
        return Coverage(language, translated, total)

    def missing(self, language: str, msgids: Iterable[str]) -> list[str]:
        translator = self.translator(language)
        if language == SOURCE_LANGUAGE:
            return []
        return [m for m in msgids if translator.gettext(m) == m and m not in _SAME_IN_ALL]

    def translator_for(self, language_code: str | None) -> Translator:
        """The translator for a person's Telegram language, or the default."""
        return self.translator(self.best_language(language_code))

    def best_language(self, language_code: str | None) -> str:
        """The offered language for a Telegram `language_code` (an IETF tag such as `uz`,
        `uz-UZ`, `uz-Cyrl-UZ`, `kk_KZ`), or Russian."""
        for candidate in _candidates(language_code):
            if candidate in self.offered:
                return candidate
        return DEFAULT_LANGUAGE if DEFAULT_LANGUAGE in self.offered else SOURCE_LANGUAGE


_SAME_IN_ALL = frozenset({"Signal"})


def _candidates(language_code: str | None) -> list[str]:
    """Catalog names a language tag may stand for, most specific first: `uz-Cyrl-UZ` gives
    `uz_Cyrl` then `uz`."""
    if not language_code:
        return []
    parts = [part for part in language_code.strip().replace("_", "-").split("-") if part]
    if not parts:
        return []
    base = parts[0].lower()
    scripts = [part.title() for part in parts[1:] if len(part) == 4 and part.isalpha()]
    return [f"{base}_{script}" for script in scripts] + [base]


def default_locales_dir() -> Path:
    return Path(str(resources.files("bot") / "locales"))


def _is_translated(string: object) -> bool:
    if isinstance(string, tuple | list):
        return all(bool(part) for part in string)
    return bool(string)


def _compiled(catalog: Catalog) -> Translations:
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)
