"""The `complaint-bot` command line."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import getpass
import logging
import os
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from sqlalchemy.exc import OperationalError
from telegram import Bot
from telegram.error import TelegramError

from bot.app import Runtime
from bot.cases.directory_file import CoalitionsError
from bot.chat.durations import use_timedelta_durations
from bot.chat.poller import ALLOWED_UPDATES
from bot.config import ConfigError, Settings, load_settings
from bot.desk.commands import add_desk_commands
from bot.errors import BotError
from bot.i18n import LANGUAGE_NAMES, Catalogs
from bot.i18n.review import status as translation_status
from bot.lifecycle import serve
from bot.logs import configure_logging
from bot.terminal import TerminalWalk
from storage.audit import ORIGIN, verify_chain
from storage.dead_letters import DeadLetterCount
from storage.errors import StorageError
from storage.receipts import load_or_create_receipt_key
from storage.sealing import fingerprint, new_identity, protect_identity
from storage.server_keys import ServerKeys, load_server_keys, write_server_keys

EXIT_CONFIG = 2
EXIT_DATABASE = 1  # not 2: systemd's RestartPreventExitStatus=2 would never try again
DATABASE_WAIT_SECONDS = 60.0
_log = logging.getLogger(__name__)


def main(argv: Sequence[str] | None = None) -> int:
    use_timedelta_durations()
    parser = _parser()
    arguments = parser.parse_args(argv)
    command: Callable[[argparse.Namespace], int] | None = getattr(arguments, "command", None)
    if command is None:
        parser.print_help()
        return EXIT_CONFIG
    try:
        return command(arguments)
    except (BotError, StorageError) as error:
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
    parser.add_argument("--version", action="version", version=f"complaint-bot {_version()}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    run = commands.add_parser(
        "run",
        help="run the bot (long polling, or a webhook front with --webhook)",
        description=(
            "Run the bot until interrupted: long polling, or with --webhook an HTTP front that "
            "Telegram posts updates to (set it once with `complaint-bot webhook set`). "
            "Upgrades the database first."
        ),
    )
    run.add_argument("--webhook", action="store_true", help="serve a webhook instead of polling")
    run.add_argument("--listen", metavar="HOST", help="address to listen on (LISTEN_HOST)")
    run.add_argument("--port", type=int, help="port to listen on (LISTEN_PORT)")
    run.add_argument("--webhook-url", metavar="URL", help="public https URL (WEBHOOK_URL)")
    run.add_argument(
        "--secret-token", metavar="S", help="secret Telegram sends back (WEBHOOK_SECRET_TOKEN)"
    )
    run.add_argument(
        "--no-migrate",
        action="store_true",
        help="do not upgrade the database (replicas after a migrations Job); refuse if behind",
    )
    run.set_defaults(command=_run)

    webhook = commands.add_parser("webhook", help="the webhook at Telegram (a deploy step)")
    webhook_commands = webhook.add_subparsers(title="commands", metavar="COMMAND")
    for name, summary, action in (
        ("set", "point Telegram at WEBHOOK_URL with the secret token", _webhook_set),
        ("delete", "remove the webhook (pending updates stay at Telegram)", _webhook_delete),
        ("info", "what Telegram knows: URL, pending updates, last error", _webhook_info),
    ):
        sub = webhook_commands.add_parser(name, help=summary)
        if name == "set":
            sub.add_argument("--webhook-url", metavar="URL", help="public https URL")
            sub.add_argument("--secret-token", metavar="S", help="the secret token")
        sub.set_defaults(command=action)

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

    init = commands.add_parser(
        "init",
        help="write a DEMO coalitions file with demo keys, to try everything",
        description="Write a DEMO coalitions file (marked demo everywhere) with one demo key per "
        "coalition, so a new user can try the whole path. Never use it for real complaints.",
    )
    init.add_argument(
        "--out", type=Path, help="coalitions file to write (default: DATA_DIR/coalitions.demo.yaml)"
    )
    init.add_argument("--force", action="store_true", help="overwrite an existing file")
    init.set_defaults(command=_init)

    keys = commands.add_parser("keys", help="staff keys")
    keys_commands = keys.add_subparsers(title="commands", metavar="COMMAND")
    new_key = keys_commands.add_parser(
        "new",
        help="make a staff identity (on the staff member's own device)",
        description="Make an age identity for a staff member, protected by a passphrase. "
        "Prints the public key (for the coalitions file) and its fingerprint.",
    )
    new_key.add_argument(
        "--out", type=Path, default=Path("staff-key.age"), help="identity file to write"
    )
    new_key.add_argument(
        "--no-passphrase", action="store_true", help="store the identity unprotected"
    )
    new_key.set_defaults(command=_keys_new)
    server_key = keys_commands.add_parser(
        "server",
        help="make the server key file, or add a new at-rest key to it (--rotate)",
        description="Write a new server key file (0600) for SERVER_KEY_FILE, or with --rotate "
        "put a new at-rest key in front of the existing ones: new values are sealed with it, "
        "older ones still open. The handle key never changes. See docs/operations.md.",
    )
    server_key.add_argument("--out", type=Path, required=True, help="the key file")
    server_key.add_argument("--rotate", action="store_true", help="rotate an existing file")
    server_key.set_defaults(command=_keys_server)

    add_desk_commands(commands)

    receipts = commands.add_parser("receipts", help="the key that signs delivered cases")
    receipts_commands = receipts.add_subparsers(title="commands", metavar="COMMAND")
    receipt_key = receipts_commands.add_parser(
        "key",
        help="print the public receipt key staff pin in their desk (creates the key if needed)",
        description="Print the public half of the key that signs every delivered <REF>.age "
        "(<REF>.age.minisig). Give it to staff in person or over a channel you trust: they "
        "pin it with `desk ... --signer KEY` or in their desk settings file.",
    )
    receipt_key.add_argument("--out", type=Path, help="also write it as a minisign .pub file")
    receipt_key.set_defaults(command=_receipts_key)

    purge = commands.add_parser(
        "purge",
        help="delete expired drafts and closed cases past their retention (warning staff first)",
        description="Delete expired drafts, warn staff chats 7 days before a closed case's "
        "retention ends, and delete closed cases whose retention is over. Also runs "
        "periodically inside `complaint-bot run`.",
    )
    purge.add_argument("--dry-run", action="store_true", help="only say what would happen")
    purge.set_defaults(command=_purge)

    status = commands.add_parser("status", help="delivery queue: waiting cases per staff chat")
    status.set_defaults(command=_status)

    audit = commands.add_parser("audit", help="the audit log of staff actions")
    audit_commands = audit.add_subparsers(title="commands", metavar="COMMAND")
    verify = audit_commands.add_parser(
        "verify",
        help="check the audit log's hash chain",
        description="Recompute the hash chain of the audit log: an edited or removed entry "
        "breaks it. Prints the newest digest; keep it elsewhere and pass it with --head next "
        "time, so that removing the newest entries is detected too. Exit status 1 if broken.",
    )
    verify.add_argument("--head", help="a digest printed by an earlier verification")
    verify.set_defaults(command=_audit_verify)

    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(title="commands", metavar="COMMAND")
    upgrade = db_commands.add_parser("upgrade", help="apply database migrations")
    upgrade.set_defaults(command=_db_upgrade)
    return parser


def _run(arguments: argparse.Namespace) -> int:
    settings = load_settings(
        listen_host=arguments.listen,
        listen_port=arguments.port,
        webhook_url=arguments.webhook_url,
        webhook_secret_token=arguments.secret_token,
    )
    settings.require_token()
    if arguments.webhook:
        settings.require_webhook()
    configure_logging(settings.log_level, settings.log_format)
    runtime = Runtime(settings)
    runtime.form  # noqa: B018 - fail early on a broken form
    if not _prepare_database(runtime, migrate=not arguments.no_migrate):
        return EXIT_DATABASE
    if arguments.webhook:
        from bot.replicas import serve_webhook  # uvicorn and starlette only for this mode

        asyncio.run(serve_webhook(runtime))
    else:
        asyncio.run(serve(runtime))
    return 0


def _prepare_database(runtime: Runtime, *, migrate: bool) -> bool:
    """Migrate (or check that the schema is current), waiting up to DATABASE_WAIT_SECONDS for
    the database to answer: a container or a pod may start before its database does. False,
    with one line, if it never answers (an exit code that a restart policy retries)."""
    pause, waited = 1.0, 0.0
    while True:
        try:
            if migrate:
                runtime.upgrade_database()
            else:
                runtime.require_current_schema()
            return True
        except OperationalError as error:
            if waited >= DATABASE_WAIT_SECONDS:
                print(
                    f"complaint-bot: the database did not answer for {waited:.0f} s "
                    f"({type(error).__name__}); check DATABASE_URL and that it runs",
                    file=sys.stderr,
                )
                return False
            _log.warning("the database is not reachable yet; retrying in %.0f s", pause)
            time.sleep(pause)
            waited += pause
            pause = min(pause * 2, 10.0)


def _version() -> str:
    try:
        return version("complaint-bot")
    except PackageNotFoundError:
        return "unknown"


def _webhook_set(arguments: argparse.Namespace) -> int:
    settings = load_settings(
        webhook_url=arguments.webhook_url, webhook_secret_token=arguments.secret_token
    )
    url, secret = settings.require_webhook()

    async def call(bot: Bot) -> None:
        await bot.set_webhook(
            url,
            secret_token=secret,
            allowed_updates=ALLOWED_UPDATES,
            max_connections=settings.webhook_max_connections,
        )

    _with_bot(settings, call)
    print(f"webhook: set to {url} (max {settings.webhook_max_connections} connections)")
    return 0


def _webhook_delete(arguments: argparse.Namespace) -> int:
    settings = load_settings()

    async def call(bot: Bot) -> None:
        await bot.delete_webhook(drop_pending_updates=False)

    _with_bot(settings, call)
    print("webhook: deleted; pending updates stay at Telegram for `complaint-bot run`")
    return 0


def _webhook_info(arguments: argparse.Namespace) -> int:
    settings = load_settings()
    lines: list[str] = []

    async def call(bot: Bot) -> None:
        info = await bot.get_webhook_info()
        lines.append(f"url: {info.url or '(none: long polling)'}")
        lines.append(f"pending updates: {info.pending_update_count}")
        if info.max_connections:
            lines.append(f"max connections: {info.max_connections}")
        if info.allowed_updates:
            lines.append(f"allowed updates: {', '.join(info.allowed_updates)}")
        if info.last_error_date:
            lines.append(f"last error: {info.last_error_date:%Y-%m-%d %H:%M} UTC")

    _with_bot(settings, call)
    print("\n".join(lines))
    return 0


def _with_bot(settings: Settings, call: Callable[[Bot], Awaitable[None]]) -> None:
    base = settings.api_base
    bot = Bot(settings.require_token(), base_url=f"{base}/bot", base_file_url=f"{base}/file/bot")

    async def run() -> None:
        async with bot:
            await call(bot)

    try:
        asyncio.run(run())
    except TelegramError as error:
        raise ConfigError(f"Telegram refused: {type(error).__name__}") from None


def _check(arguments: argparse.Namespace) -> int:
    problems = 0
    settings = load_settings()
    try:
        settings.require_token()
        print("settings: ok")
    except ConfigError as error:
        print(f"settings: {error}")
        problems += 1
    runtime = Runtime(settings)
    form = runtime.form
    print(f"form: {form.id} version {form.version}, {sum(1 for _ in form.questions())} questions")
    if settings.coalitions_file is None:
        print("coalitions: COALITIONS_FILE not set; the bot will use DEMO coalitions")
    else:
        try:
            directory = runtime.directory
            demo = " (DEMO)" if directory.is_demo else ""
            names = ", ".join(c.id for c in directory.coalitions)
            print(f"coalitions: {names}; fallback {directory.fallback}{demo}")
            for coalition in directory.coalitions:
                if not coalition.staff_user_ids:
                    print(
                        f"coalitions: {coalition.id} has no staff_user_ids, so nobody can "
                        "acknowledge, answer or close its cases in Telegram"
                    )
        except CoalitionsError as error:
            print(f"coalitions: {error}")
            problems += 1
    catalogs = runtime.catalogs
    lines, failed = translation_report(catalogs)
    print("\n".join(lines))
    problems += failed
    return 1 if problems else 0


def translation_report(catalogs: Catalogs) -> tuple[list[str], int]:
    """One line per language, and how many fail: every language the picker lists is meant to
    be offered, so each must translate every message (an incomplete one is silently not
    offered at run time, which `check` must not let pass)."""
    lines, failed = [], 0
    for language in LANGUAGE_NAMES:
        coverage = catalogs.coverage(language)
        review = translation_status(language).review
        offered = "offered" if language in catalogs.offered else "NOT offered (incomplete)"
        lines.append(
            f"translation {language}: {coverage.translated}/{coverage.total} {offered}; {review}"
        )
        if not coverage.complete:
            missing = coverage.total - coverage.translated
            lines.append(f"translation {language}: {missing} messages untranslated")
            failed += 1
    return lines, failed


def _try(arguments: argparse.Namespace) -> int:
    runtime = Runtime(load_settings())
    presets = {"e_country": arguments.country.upper()} if arguments.country else {}
    TerminalWalk(runtime.walk_service(), runtime.catalogs, arguments.language).run(presets)
    return 0


def _db_upgrade(arguments: argparse.Namespace) -> int:
    settings = load_settings()
    runtime = Runtime(settings)
    runtime.upgrade_database()
    print("database: up to date")
    return 0


def _init(arguments: argparse.Namespace) -> int:
    settings = load_settings()
    path: Path = arguments.out or settings.data_dir / "coalitions.demo.yaml"
    if path.exists() and not arguments.force:
        print(f"complaint-bot: {path} exists; use --force to overwrite it", file=sys.stderr)
        return 1
    keys_dir = path.parent / "demo-keys"
    written = Runtime(settings).write_demo_coalitions(path, keys_dir)
    print(f"DEMO coalitions written to {path}")
    print(f"DEMO identities (they sit on this machine: demo only) in {keys_dir}:")
    for coalition_id, key_file, key_fingerprint in written:
        print(f"  {coalition_id:5} {key_fingerprint}  {key_file}")
    print("Try it: set COALITIONS_FILE to that file, run the bot, send a report, then")
    print(f"  complaint-bot desk open <REF>.age --identity {keys_dir}/kz.demo-key.txt")
    return 0


def _keys_new(arguments: argparse.Namespace) -> int:
    out: Path = arguments.out
    if out.exists():
        print(f"complaint-bot: {out} exists; choose another --out", file=sys.stderr)
        return 1
    secret, public = new_identity()
    if arguments.no_passphrase:
        content = f"# public key: {public}\n{secret}\n".encode()
    else:
        passphrase = _new_passphrase()
        if passphrase is None:
            return 1
        content = protect_identity(secret, passphrase)
    descriptor = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(content)
    print(f"identity written to {out} (keep it on this device only)")
    print(f"public key:  {public}")
    print(f"fingerprint: {fingerprint(public)}")
    return 0


def _keys_server(arguments: argparse.Namespace) -> int:
    out: Path = arguments.out
    if arguments.rotate:
        keys = load_server_keys(out).rotated()
        write_server_keys(out, keys)
        print(f"{out}: new at-rest key in use; {len(keys.at_rest_keys)} at-rest keys kept")
        return 0
    if out.exists():
        print(f"complaint-bot: {out} exists; use --rotate to add a key to it", file=sys.stderr)
        return 1
    write_server_keys(out, ServerKeys.generate(), exclusive=True)
    print(f"{out}: server key written (0600); back it up offline, apart from the database")
    return 0


def _new_passphrase() -> str | None:
    if not sys.stdin.isatty():
        passphrase = sys.stdin.readline().rstrip("\n")
    else:
        passphrase = getpass.getpass("Passphrase for the new identity: ")
        if getpass.getpass("Same passphrase again: ") != passphrase:
            print("complaint-bot: the passphrases differ", file=sys.stderr)
            return None
    if len(passphrase) < 10:
        print("complaint-bot: use a passphrase of at least 10 characters", file=sys.stderr)
        return None
    return passphrase


def _receipts_key(arguments: argparse.Namespace) -> int:
    settings = load_settings()
    key = load_or_create_receipt_key(settings.resolved_receipt_key_file)
    if arguments.out is not None:
        arguments.out.write_bytes(key.public_key_file())
    print(f"receipt key (public): {key.public_key}")
    print(f"check a file with: minisign -Vm <REF>.age -P {key.public_key}")
    return 0


def _purge(arguments: argparse.Namespace) -> int:
    runtime = Runtime(load_settings())
    runtime.require_current_schema()
    tidied = runtime.tidy(dry_run=arguments.dry_run)
    verb = "would" if arguments.dry_run else "did"
    print(f"expired drafts deleted: {tidied.drafts}")
    print(f"retention warnings ({verb} send): {', '.join(tidied.cases.warned) or 'none'}")
    print(f"closed cases ({verb} delete): {', '.join(tidied.cases.purged) or 'none'}")
    return 0


def _audit_verify(arguments: argparse.Namespace) -> int:
    runtime = Runtime(load_settings())
    runtime.require_current_schema()
    with runtime.unit_of_work() as unit:
        rows = unit.audit.entries()
    check = verify_chain(rows, arguments.head)
    if not check.intact:
        print(f"audit log BROKEN: {check.problem} ({check.entries} entries)")
        return 1
    head = rows[-1].digest if rows else ORIGIN
    print(f"audit log intact: {check.entries} entries; newest digest {head}")
    return 0


def _status(arguments: argparse.Namespace) -> int:
    runtime = Runtime(load_settings())
    runtime.require_current_schema()
    with runtime.unit_of_work() as unit:
        waiting = unit.outbox.waiting()
        dead = unit.dead_letters.counts()
    names: dict[int, str] = {c.staff_chat_id: c.id for c in runtime.directory.coalitions}
    names[0] = "messages to complainants"
    _print_dead_letters(dead)
    if not waiting:
        print("delivery queue: empty")
        return 0
    now = dt.datetime.now(dt.UTC)
    for state in waiting:
        age = now - state.oldest_since
        hours = int(age.total_seconds() // 3600)
        problem = f"; last error: {state.last_error}" if state.last_error else ""
        print(
            f"{names.get(state.chat_id, state.chat_id)}: {state.waiting} waiting; "
            f"oldest {state.oldest_reference} for {hours} h{problem}"
        )
    return 0


def _print_dead_letters(counts: Sequence[DeadLetterCount]) -> None:
    """Updates put aside after a deterministic failure: class and hour only, never content."""
    if not counts:
        print("dead letters: none")
        return
    total = sum(c.count for c in counts)
    print(f"dead letters: {total} (updates put aside after a failure; see docs/operations.md)")
    for count in counts:
        print(f"  {count.error_class}: {count.count}; newest {count.newest:%Y-%m-%d %H}:00 UTC")


if __name__ == "__main__":
    sys.exit(main())
