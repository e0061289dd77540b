"""The bot's profile in Telegram: command menus and descriptions, in every offered language."""

from __future__ import annotations

import logging

from telegram import BotCommand, BotCommandScopeAllGroupChats
from telegram.error import TelegramError

from bot.chat.context import BotApplication
from bot.i18n import Catalogs
from bot.i18n.catalogs import DEFAULT_LANGUAGE

log = logging.getLogger(__name__)


def menu_languages(catalogs: Catalogs) -> list[tuple[str, str]]:
    """(catalog, Telegram language_code) pairs: the menus are set per two-letter code (Telegram
    knows no script subtags, so `uz_Cyrl` readers see the `uz` menu), and once without a code,
    in Russian, for every other client language."""
    pairs = [(language, language) for language in catalogs.offered if len(language) == 2]
    default = DEFAULT_LANGUAGE if DEFAULT_LANGUAGE in catalogs.offered else "en"
    return [*pairs, (default, "")]


async def describe_bot(application: BotApplication, catalogs: Catalogs) -> None:
    for language, code in menu_languages(catalogs):
        t = catalogs.translator(language)
        commands = [
            BotCommand("start", t.gettext("Start or continue")),
            BotCommand("help", t.gettext("Help")),
            BotCommand("language", t.gettext("Language")),
            BotCommand("exit", t.gettext("Close and delete")),
            BotCommand("delete", t.gettext("Withdraw and erase")),
        ]
        # Innocuous on purpose: someone glancing at the phone should learn nothing from it.
        description = t.gettext("A confidential help line. Press Start to begin.")
        staff_commands = [
            BotCommand("cases", t.gettext("Open cases")),
            BotCommand("case", t.gettext("Send a case file again")),
            BotCommand("status", t.gettext("Show or set a case's status")),
            BotCommand("reply", t.gettext("Write to a complainant")),
            BotCommand("note", t.gettext("Add a sealed internal note")),
            BotCommand("help", t.gettext("Help")),
        ]
        try:
            await application.bot.set_my_commands(
                staff_commands, scope=BotCommandScopeAllGroupChats(), language_code=code
            )
            await application.bot.set_my_commands(commands, language_code=code)
            await application.bot.set_my_description(description, language_code=code)
            await application.bot.set_my_short_description(description, language_code=code)
        except TelegramError as error:
            log.warning("could not set the command menu: %s", type(error).__name__)
            return
