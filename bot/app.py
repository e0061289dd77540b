"""Wiring, the composition root: the one place where settings, storage, the intake core and
Telegram meet. Everything is built once, on first use, from the settings read once."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Callable, Iterator, Sequence
from functools import cached_property
from pathlib import Path
from typing import IO

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from telegram import Bot
from telegram.ext import Application, BaseRateLimiter

from bot import metrics
from bot.cases.casework import Casework
from bot.cases.coalitions import CoalitionDirectory
from bot.cases.complainants import ComplainantCases
from bot.cases.directory_file import load_coalitions, write_demo_coalitions
from bot.cases.submission import Submission
from bot.cases.ways import ContactWays
from bot.cases.withdrawal import Withdrawals
from bot.chat.context import BotApplication
from bot.chat.database_calls import DatabaseWorker
from bot.chat.delivery import Courier
from bot.chat.flood import FloodGuard
from bot.chat.followup import FollowUpHandlers
from bot.chat.handlers import IntakeHandlers
from bot.chat.kit import ComplainantKit
from bot.chat.routes import add_routes
from bot.chat.senders import ComplainantSender, StaffSender
from bot.chat.staff import StaffHandlers
from bot.chat.telegram_request import bot_requests
from bot.chat.wiper import Wiper
from bot.config import Settings
from bot.errors import SchemaBehind
from bot.housekeeping import Housekeeping, Tidied
from bot.i18n import LANGUAGE_NAMES, Catalogs
from bot.intake.choices import ChoiceLabels, choice_labels
from bot.intake.form import Form
from bot.intake.loader import load_form
from bot.intake.service import IntakeService
from storage.at_rest import AtRestSealer, PurposeSeal
from storage.case_codes import (
    CaseCodeKeys,
    confirmation_digest,
    confirmation_part,
    matches_confirmation,
)
from storage.cases import RELAY_PURPOSE
from storage.database import make_engine, make_sessions
from storage.handles import account_handle, staff_pseudonym
from storage.memory import MemoryStore
from storage.migrate import schema_is_current, upgrade_database
from storage.receipts import ReceiptKey, load_or_create_receipt_key
from storage.sealing import AgeKeys, fingerprint, seal_case
from storage.server_keys import ServerKeys, load_or_create_server_keys
from storage.spool import seal_spool, spooled
from storage.unit_of_work import SqlUnitOfWork

log = logging.getLogger(__name__)
# SQLite takes one writer at a time: more database threads would only queue on its lock.
SQLITE_WORKERS = 1
SERVER_DATABASE_WORKERS = 4


class Runtime:
    """Everything the bot needs, built once from the settings."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @cached_property
    def form(self) -> Form:
        return load_form(self.settings.form_file)

    @cached_property
    def catalogs(self) -> Catalogs:
        return Catalogs.load()

    @cached_property
    def keys(self) -> ServerKeys:
        return load_or_create_server_keys(self.settings.resolved_server_key_file)

    @cached_property
    def receipt_key(self) -> ReceiptKey:
        return load_or_create_receipt_key(self.settings.resolved_receipt_key_file)

    @cached_property
    def database(self) -> Engine:
        return make_engine(self.settings.resolved_database_url)

    @cached_property
    def sessions(self) -> sessionmaker[Session]:
        return make_sessions(self.database)

    @cached_property
    def sealer(self) -> AtRestSealer:
        return AtRestSealer(self.keys.at_rest_keys)

    def write_demo_coalitions(self, path: Path, keys_dir: Path) -> list[tuple[str, Path, str]]:
        return write_demo_coalitions(path, keys_dir, AgeKeys())

    @cached_property
    def coalitions_file(self) -> Path:
        configured = self.settings.coalitions_file
        if configured is not None:
            return configured
        demo = self.settings.data_dir / "coalitions.demo.yaml"
        if not demo.exists():
            write_demo_coalitions(demo, self.settings.data_dir / "demo-keys", AgeKeys())
        return demo

    @cached_property
    def directory(self) -> CoalitionDirectory:
        directory = load_coalitions(self.coalitions_file, AgeKeys())
        if directory.is_demo:
            log.warning(
                "DEMO coalitions in use (%s): their keys sit on this server; "
                "do not take real complaints",
                self.coalitions_file,
            )
        return directory

    @cached_property
    def ways(self) -> ContactWays:
        return ContactWays(CaseCodeKeys(self.keys.handle_key))

    @cached_property
    def relays(self) -> PurposeSeal:
        return PurposeSeal(self.sealer, RELAY_PURPOSE)

    @cached_property
    def submission(self) -> Submission:
        return Submission(
            self.form,
            self.directory,
            self.catalogs,
            seal_case,
            fingerprint,
            self.ways,
            stream_seal=self._seal_streaming,
        )

    @contextlib.contextmanager
    def _seal_streaming(
        self, write: Callable[[IO[bytes]], None], recipients: Sequence[str]
    ) -> Iterator[IO[bytes]]:
        """Pack into a spool in DATA_DIR (encrypted with a key only this process holds), then
        seal it to the coalition with age into a second spooled file (ciphertext), streaming."""
        folder = self.spool_folder
        with spooled(folder) as spool:
            write(spool)  # type: ignore[arg-type]
            with seal_spool(spool, recipients, folder) as sealed:
                yield sealed

    @property
    def spool_folder(self) -> Path:
        """Scratch space for cases being packed, sealed or sent: only ciphertext is written."""
        return self.settings.data_dir / "spool"

    @cached_property
    def service(self) -> IntakeService:
        lifetime = dt.timedelta(hours=self.settings.draft_lifetime_hours)
        return IntakeService(
            self.form,
            self.unit_of_work,
            lifetime=lifetime,
            submitter=self.submission,
            confirmation=(
                lambda code: confirmation_digest(confirmation_part(code)),
                matches_confirmation,
            ),
            choice_labels=self.choice_labels,
            case_bytes=self.settings.case_files_limit_bytes,
        )

    @cached_property
    def choice_labels(self) -> ChoiceLabels:
        def translate(language: str, label: str) -> str:
            return self.catalogs.translator(language).gettext(label)

        return choice_labels(self.form, LANGUAGE_NAMES, translate)

    def walk_service(self) -> IntakeService:
        """The intake over memory only, for `complaint-bot try`: nothing is stored or sent."""
        return IntakeService(
            self.form, MemoryStore().unit_of_work, choice_labels=self.choice_labels
        )

    def _forget_account_in_memory(self, handle: str) -> None:
        """/delete: what memory holds for this account (answer grants, a waiting case code)."""
        self.complainant_cases.grants.revoke(handle)
        self.service.forget_waiting_code(handle)

    @cached_property
    def casework(self) -> Casework:
        return Casework(
            self.unit_of_work,
            self.directory,
            self.catalogs,
            seal_case,
            self.relays,
            on_unaudited_refusal=lambda action: metrics.UNAUDITED_REFUSALS.labels(action).inc(),
        )

    @cached_property
    def complainant_cases(self) -> ComplainantCases:
        return ComplainantCases(self.unit_of_work, self.directory, seal_case, self.ways)

    def pseudonym_of(self, account_id: int) -> str:
        return staff_pseudonym(self.keys.handle_key, account_id)

    def unit_of_work(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.sessions, self.sealer)

    def handle_of(self, account_id: int) -> str:
        return account_handle(self.keys.handle_key, account_id)

    def upgrade_database(self) -> None:
        upgrade_database(self.database)

    def require_current_schema(self) -> None:
        """For commands that must not change the database: refuse if it is behind."""
        if not schema_is_current(self.database):
            raise SchemaBehind()

    @cached_property
    def database_worker(self) -> DatabaseWorker:
        sqlite = self.database.dialect.name == "sqlite"
        return DatabaseWorker(SQLITE_WORKERS if sqlite else SERVER_DATABASE_WORKERS)

    @cached_property
    def housekeeping(self) -> Housekeeping:
        return Housekeeping(
            self.unit_of_work, self.unit_of_work, self.directory, self.overwrite_deleted
        )

    def overwrite_deleted(self) -> None:
        """Push deleted pages out of SQLite's write-ahead log, so they are overwritten too."""
        if self.database.dialect.name == "sqlite":
            connection = self.database.raw_connection()
            try:
                connection.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                connection.close()

    def tidy(self, *, dry_run: bool = False) -> Tidied:
        return self.housekeeping.tidy(dry_run=dry_run)

    def courier(self, bot: Bot, wake: asyncio.Event, wiper: Wiper) -> Courier:
        """The outbox's courier, as the polling bot and the replicas' leader run it."""
        return Courier(
            bot,
            self.unit_of_work,
            self.directory,
            self.catalogs,
            relays=self.relays,
            lease=dt.timedelta(seconds=self.settings.delivery_lease_seconds),
            wake=wake,
            wiper=wiper,
            receipts=self.receipt_key,
            calls=self.database_worker,
            mini_app=self.settings.mini_app_name,
            spool_folder=self.spool_folder,
        )

    def build_application(
        self,
        on_sent: Callable[[], None] | None = None,
        rate_limiter: BaseRateLimiter[None] | None = None,
    ) -> tuple[BotApplication, Wiper]:
        base = self.settings.api_base
        calls_request, polls_request = bot_requests()
        builder = (
            Application.builder()
            .token(self.settings.require_token())
            .base_url(f"{base}/bot")
            .base_file_url(f"{base}/file/bot")
            .request(calls_request)
            .get_updates_request(polls_request)
            .updater(None)
        )
        if rate_limiter is not None:
            builder = builder.rate_limiter(rate_limiter)
        application: BotApplication = builder.build()
        bot = application.bot
        calls = self.database_worker
        wiper = Wiper(bot, self.unit_of_work, calls=calls)
        kit = ComplainantKit(
            self.catalogs,
            self.handle_of,
            ComplainantSender(bot),
            wiper,
            calls,
            on_sent or (lambda: None),
        )
        staff = StaffHandlers(
            self.casework,
            self.catalogs,
            self.pseudonym_of,
            StaffSender(bot),
            calls,
            on_sent,
            spool_folder=self.spool_folder,
        )
        followup = FollowUpHandlers(
            self.complainant_cases, staff, kit, file_bytes=self.settings.case_files_limit_bytes
        )
        intake = IntakeHandlers(
            self.service,
            kit,
            demo=self.directory.is_demo,
            helplines=[
                (c.name, tuple(sorted(c.help.items()))) for c in self.directory.coalitions if c.help
            ],
            flood=FloodGuard(
                per_second=self.settings.flood_per_second, burst=self.settings.flood_burst
            ),
            withdrawals=Withdrawals(
                self.unit_of_work,
                self.directory,
                seal_case,
                forget_grants=self._forget_account_in_memory,
                key_of=self.ways.key_of,
                pacing=self.complainant_cases.guard,
            ),
        )
        add_routes(application, intake, staff, followup)
        return application, wiper
