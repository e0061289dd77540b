"""The `complaint-bot` command line."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Callable, Sequence

from bot.app import Runtime, serve
from bot.config import ConfigError, Settings, load_settings
from bot.i18n import LANGUAGE_NAMES, Catalogs
from bot.intake.loader import FormError, load_form
from bot.terminal import TerminalWalk
from storage.errors import StorageError

EXIT_CONFIG = 2


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    arguments = parser.parse_args(argv)
    command: Callable[[argparse.Namespace], int] | None = getattr(arguments, "command", None)
    if command is None:
        parser.print_help()
        return EXIT_CONFIG
    try:
        return command(arguments)
    except (ConfigError, FormError, StorageError) as error:
        print(f"complaint-bot: {error}", file=sys.stderr)
        return EXIT_CONFIG
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="complaint-bot",
        description="Telegram intake of complaints about torture and ill-treatment.",
        epilog="Settings come from the environment or a .env file; see README.md.",
    )
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    run = commands.add_parser(
        "run",
        help="run the bot (long polling)",
        description=(
            "Run the bot with long polling until interrupted. Upgrades the database first."
        ),
    )
    run.set_defaults(command=_run)

    check = commands.add_parser("check", help="validate settings, the form and translations")
    check.set_defaults(command=_check)

    walk = commands.add_parser(
        "try",
        help="walk the questionnaire in this terminal, without Telegram",
        description="Walk the form as a complainant would. Nothing is stored. "
        "Type a button's number, or your answer; /exit leaves; file:PATH attaches a file.",
    )
    walk.add_argument("--language", default="en", choices=sorted(LANGUAGE_NAMES))
    walk.add_argument("--country", help="preset the country, as a /start link would (kz, kg, ...)")
    walk.set_defaults(command=_try)

    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(title="commands", metavar="COMMAND")
    upgrade = db_commands.add_parser("upgrade", help="apply database migrations")
    upgrade.set_defaults(command=_db_upgrade)
    return parser


def _run(arguments: argparse.Namespace) -> int:
    settings = load_settings()
    settings.require_token()
    _configure_logging(settings)
    runtime = Runtime(settings)
    runtime.form  # noqa: B018 - fail early on a broken form
    runtime.upgrade_database()
    asyncio.run(serve(runtime))
    return 0


def _check(arguments: argparse.Namespace) -> int:
    problems = 0
    settings = load_settings()
    try:
        settings.require_token()
        print("settings: ok")
    except ConfigError as error:
        print(f"settings: {error}")
        problems += 1
    form = load_form(settings.form_file)
    print(f"form: {form.id} version {form.version}, {sum(1 for _ in form.questions())} questions")
    catalogs = Catalogs.load()
    for language in LANGUAGE_NAMES:
        coverage = catalogs.coverage(language)
        offered = "offered" if language in catalogs.offered else "not offered (incomplete)"
        print(f"translation {language}: {coverage.translated}/{coverage.total} {offered}")
    for required in ("en", "ru"):
        if required not in catalogs.offered:
            print(f"translation {required}: must be complete")
            problems += 1
    return 1 if problems else 0


def _try(arguments: argparse.Namespace) -> int:
    settings = load_settings()
    form = load_form(settings.form_file)
    presets = {"e_country": arguments.country.upper()} if arguments.country else {}
    TerminalWalk(form, Catalogs.load(), arguments.language).run(presets)
    return 0


def _db_upgrade(arguments: argparse.Namespace) -> int:
    settings = load_settings()
    runtime = Runtime(settings)
    runtime.upgrade_database()
    print("database: up to date")
    return 0


def _configure_logging(settings: Settings) -> None:
    logging.basicConfig(
        level=settings.log_level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    # httpx logs every request URL, and the URL carries the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)


if __name__ == "__main__":
    sys.exit(main())
