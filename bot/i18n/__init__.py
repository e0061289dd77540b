"""Translations: gettext catalogs (.po, managed with Babel), English msgids."""

from bot.i18n.catalogs import LANGUAGE_NAMES, Catalogs, Translator

__all__ = ["LANGUAGE_NAMES", "Catalogs", "Translator"]
