"""The `complaint-bot` command line."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import getpass
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from bot.app import Runtime
from bot.cases.directory_file import CoalitionsError
from bot.chat.durations import use_timedelta_durations
from bot.config import ConfigError, load_settings
from bot.desk.commands import add_desk_commands
from bot.errors import BotError
from bot.i18n import LANGUAGE_NAMES, Catalogs
from bot.i18n.review import status as translation_status
from bot.lifecycle import serve
from bot.logs import configure_logging
from bot.terminal import TerminalWalk
from storage.audit import ORIGIN, verify_chain
from storage.errors import StorageError
from storage.receipts import load_or_create_receipt_key
from storage.sealing import fingerprint, new_identity, protect_identity

EXIT_CONFIG = 2


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
    settings = load_settings()
    settings.require_token()
    configure_logging(settings.log_level)
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
    names: dict[int, str] = {c.staff_chat_id: c.id for c in runtime.directory.coalitions}
    names[0] = "messages to complainants"
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


if __name__ == "__main__":
    sys.exit(main())
