"""The bot's profile in Telegram: command menus and descriptions, in every offered language."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from telegram import BotCommand, BotCommandScopeAllGroupChats, BotCommandScopeChat
from telegram.error import TelegramError

from bot.cases.coalitions import Coalition
from bot.chat.context import BotApplication
from bot.i18n import Catalogs, Translator
from bot.i18n.catalogs import DEFAULT_LANGUAGE

log = logging.getLogger(__name__)


def menu_languages(catalogs: Catalogs) -> list[tuple[str, str]]:
    """(catalog, Telegram language_code) pairs: the menus are set per two-letter code (Telegram
    knows no script subtags, so `uz_Cyrl` readers see the `uz` menu), and once without a code,
    in Russian, for every other client language."""
    pairs = [(language, language) for language in catalogs.offered if len(language) == 2]
    default = DEFAULT_LANGUAGE if DEFAULT_LANGUAGE in catalogs.offered else "en"
    return [*pairs, (default, "")]


async def describe_bot(
    application: BotApplication, catalogs: Catalogs, coalitions: Sequence[Coalition] = ()
) -> None:
    """The complainants' menu and description in every language; the staff menu only in each
    staff chat (in its coalition's language), never in every group the bot is added to."""
    bot = application.bot
    try:
        for _, code in menu_languages(catalogs):  # menus an earlier version set for all groups
            await bot.delete_my_commands(BotCommandScopeAllGroupChats(), language_code=code or None)
        for coalition in coalitions:
            scope = BotCommandScopeChat(coalition.staff_chat_id)
            await bot.set_my_commands(
                _staff_commands(catalogs.translator(coalition.language)), scope=scope
            )
    except TelegramError as error:
        log.warning("could not set the staff command menu: %s", type(error).__name__)
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
        try:
            await bot.set_my_commands(commands, language_code=code)
            await bot.set_my_description(description, language_code=code)
            await bot.set_my_short_description(description, language_code=code)
        except TelegramError as error:
            log.warning("could not set the command menu: %s", type(error).__name__)
            return


def _staff_commands(t: Translator) -> list[BotCommand]:
    return [
        BotCommand("cases", t.gettext("Open cases")),
        BotCommand("case", t.gettext("Send a case file again")),
        BotCommand("status", t.gettext("Show or set a case's status")),
        BotCommand("reply", t.gettext("Write to a complainant")),
        BotCommand("note", t.gettext("Add a sealed internal note")),
        BotCommand("help", t.gettext("Help")),
    ]
