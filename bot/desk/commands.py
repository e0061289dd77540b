"""The `complaint-bot desk ...` commands: argument parsing and what is printed."""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import json
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path

from bot.desk.batch import open_cases
from bot.desk.context import Desk
from bot.desk.errors import DeskError, IdentityError
from bot.desk.folders import private_folder, write_private
from bot.desk.opening import write_opened
from bot.desk.refer import refer
from bot.desk.sealed import is_later_file, open_file
from bot.desk.settings import load_desk_settings
from bot.desk.stats import compute
from bot.desk_web.serve import DEFAULT_PORT, DeskServer
from bot.i18n import LANGUAGE_NAMES

Command = Callable[[argparse.Namespace], int]


def add_desk_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    desk = commands.add_parser(
        "desk",
        help="staff desk: open, export, count and refer sealed cases on your own device",
        description="Everything here runs on a staff member's own device; nothing is sent.",
    )
    sub = desk.add_subparsers(title="commands", metavar="COMMAND")

    open_ = sub.add_parser(
        "open",
        help="open <REF>.age files with your identity; check attachments and receipts",
        description="Decrypt sealed files, check every attachment's SHA-256 and the bot's "
        "receipt, and write the case folder with report.html (open it in a browser). Later "
        "files <REF>-n.age open into the same folder and appear in the same report.",
    )
    open_.add_argument("sealed", type=Path, nargs="+", help="<REF>.age and <REF>-n.age files")
    open_.add_argument("--out", type=Path, default=Path("cases"), help="folder for opened cases")
    _common(open_)
    open_.set_defaults(command=partial(run_desk, _open))

    export = sub.add_parser(
        "export",
        help="one spreadsheet row per case: cases.csv and cases.xlsx",
        description="Open every case and write DIR/cases.csv (UTF-8 with BOM), DIR/cases.xlsx "
        "and DIR/columns.csv (the label of each column). Files this identity cannot open, "
        "and later files <REF>-n.age, are named on stderr and skipped.",
    )
    export.add_argument("sealed", type=Path, nargs="+", help="<REF>.age files")
    export.add_argument("--out", type=Path, required=True, help="folder to write")
    _common(export)
    export.set_defaults(command=partial(run_desk, _export))

    stats = sub.add_parser(
        "stats",
        help="the counts coalitions publish: statistics.json, charts, statistics.pdf",
        description="Count the cases (by month and year, torture or ill-treatment, women, men, "
        "minors, places of detention, authorities, towns, acts, urgency, complaints and their "
        "outcome, cross-border). Counts below --min-cell are shown as <5.",
    )
    stats.add_argument("sealed", type=Path, nargs="+", help="<REF>.age files")
    stats.add_argument("--out", type=Path, required=True, help="folder to write")
    stats.add_argument(
        "--annotations", type=Path, help="cases.xlsx or cases.csv with staff's classification"
    )
    stats.add_argument("--from", dest="start", type=_day, help="first day received (YYYY-MM-DD)")
    stats.add_argument("--to", dest="end", type=_day, help="last day received (YYYY-MM-DD)")
    stats.add_argument("--min-cell", type=int, default=5, help="suppress counts below this")
    _common(stats)
    stats.set_defaults(command=partial(run_desk, _stats))

    refer_ = sub.add_parser(
        "refer",
        help="re-seal a case to another coalition or a lawyer (on this device only)",
        description="Open <REF>.age and seal it again, with referral.json, to the age "
        "recipients given; writes a fresh receipt, and a draft UN communication when the "
        "complainant agreed to UN sharing.",
    )
    refer_.add_argument("sealed", type=Path, help="the <REF>.age file")
    refer_.add_argument(
        "--to", required=True, help="age1... recipients, comma-separated, or a file of them"
    )
    refer_.add_argument("--out", type=Path, default=Path("referrals"), help="folder to write")
    refer_.add_argument("--by", default="", help="who refers (your name or role)")
    refer_.add_argument("--reason", default="", help="why, in a few words")
    refer_.add_argument(
        "--signing-key",
        type=Path,
        help="your own minisign key to sign the referral (created on first use, 0600)",
    )
    _common(refer_)
    refer_.set_defaults(command=partial(run_desk, _refer))

    serve = sub.add_parser(
        "serve",
        help="serve the browser desk page on this computer only (127.0.0.1)",
        description="Serve desk.html at http://127.0.0.1:PORT/ for a browser on this computer. "
        "Cases are opened in the browser; nothing but the page goes through this server.",
    )
    serve.add_argument("--port", type=int, default=DEFAULT_PORT, help="port on 127.0.0.1")
    serve.set_defaults(command=_serve)


def _serve(arguments: argparse.Namespace) -> int:
    try:
        server = DeskServer(arguments.port)
    except OSError as error:
        print(f"complaint-bot: cannot listen on 127.0.0.1:{arguments.port}: {error.strerror}")
        return 1
    print(f"desk: open {server.url} in your browser (Ctrl+C stops)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--identity", type=Path, required=True, help="your identity file")
    parser.add_argument(
        "--signer", help="the bot's receipt key (RW... or a .pub file); or in the settings file"
    )
    parser.add_argument(
        "--language", choices=sorted(LANGUAGE_NAMES), help="language of what is written"
    )
    parser.add_argument(
        "--coalitions", type=Path, help="the coalitions file (for each coalition's language)"
    )
    parser.add_argument("--settings", type=Path, help="desk settings file (desk.toml)")


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a day like 2026-01-31, not {text!r}") from None


def _desk(arguments: argparse.Namespace) -> Desk:
    def ask() -> str:
        if sys.stdin.isatty():
            return getpass.getpass(f"Passphrase for {arguments.identity}: ")
        return sys.stdin.readline().rstrip("\n")

    settings = load_desk_settings(arguments.settings)
    return Desk.build(
        arguments.identity,
        ask,
        settings,
        signer=arguments.signer,
        language=arguments.language,
        coalitions_file=arguments.coalitions,
    )


def run_desk(command: Command, arguments: argparse.Namespace) -> int:
    try:
        return command(arguments)
    except DeskError as error:
        print(f"complaint-bot: {error}", file=sys.stderr)
        return 1


def _open(arguments: argparse.Namespace) -> int:
    desk = _desk(arguments)
    failed = 0
    for path in sorted(arguments.sealed, key=lambda p: (is_later_file(p), p.name)):
        try:
            opened = write_opened(
                open_file(path, desk.keyring, desk.signer, desk.limits), arguments.out, desk
            )
        except IdentityError:
            raise
        except DeskError as error:
            print(f"complaint-bot: {error}", file=sys.stderr)
            failed += 1
            continue
        print(f"{opened.reference}: opened into {opened.folder}")
        print(f"  attachments checked against their SHA-256: {opened.files_checked}")
        stream = sys.stdout if opened.receipt_verified else sys.stderr
        print(f"  {opened.receipt}", file=stream)
        print(f"  read it: {opened.folder / opened.read_first}")
    return 1 if failed else 0


def _export(arguments: argparse.Namespace) -> int:
    # Imported here: openpyxl is for the staff device, not the bot's start-up.
    from bot.desk.export import build_table, write_export

    desk = _desk(arguments)
    batch = open_cases(arguments.sealed, desk)
    _tell(batch.skipped + batch.warnings)
    coalition = (batch.cases[0].manifest.get("coalition") or {}).get("id")
    table = build_table(batch.cases, desk.form, desk.words(coalition))
    written = write_export(table, arguments.out)
    print(f"{len(batch.cases)} cases exported: " + ", ".join(str(p) for p in written))
    return 0


def _stats(arguments: argparse.Namespace) -> int:
    # Imported here: matplotlib, fpdf2 and openpyxl belong to the staff device, not start-up.
    from bot.desk.annotations import read_annotations
    from bot.desk.pdf import chart_images, statistics_pdf

    if arguments.min_cell < 1:
        raise DeskError("--min-cell must be at least 1")
    desk = _desk(arguments)
    batch = open_cases(arguments.sealed, desk)
    _tell(batch.skipped + batch.warnings)
    annotations = read_annotations(arguments.annotations) if arguments.annotations else None
    coalition = (batch.cases[0].manifest.get("coalition") or {}).get("id")
    words = desk.words(coalition)
    stats = compute(
        [c.manifest for c in batch.cases],
        words,
        annotations,
        min_cell=arguments.min_cell,
        period=(arguments.start, arguments.end),
    )
    out = private_folder(arguments.out)
    document = json.dumps(stats.to_json(), ensure_ascii=False, indent=2)
    write_private(out / "statistics.json", document.encode())
    charts = chart_images(stats)
    for key, png in charts.items():
        write_private(out / f"chart-{key}.png", png)
    write_private(out / "statistics.pdf", statistics_pdf(stats, words, charts))
    print(
        f"{stats.cases} cases counted: {out / 'statistics.json'}, {out / 'statistics.pdf'}, "
        f"{len(charts)} charts"
    )
    return 0


def _refer(arguments: argparse.Namespace) -> int:
    desk = _desk(arguments)
    recipients = _recipients(arguments.to)
    result = refer(
        arguments.sealed,
        desk,
        recipients,
        arguments.out,
        referred_by=arguments.by,
        reason=arguments.reason,
        signing_key=arguments.signing_key,
    )
    print(f"referral sealed to {len(recipients)} recipients: {result.sealed}")
    print(f"  receipt: {result.receipt}")
    if result.signature is not None:
        print(f"  signature: {result.signature} (minisign -Vm {result.sealed.name} -p KEY.pub)")
    if result.un_draft is not None:
        print(f"  draft UN communication (the complainant agreed): {result.un_draft}")
    return 0


def _recipients(value: str) -> list[str]:
    path = Path(value)
    if not value.startswith("age1") and path.is_file():
        lines = path.read_text(encoding="utf-8").splitlines()
        found = [line.strip() for line in lines if line.strip().startswith("age1")]
    else:
        found = [part.strip() for part in value.split(",") if part.strip()]
    if not found:
        raise DeskError("--to: no age1... recipient given")
    return found


def _tell(lines: list[str]) -> None:
    for line in lines:
        print(line, file=sys.stderr)
