"""Wiring: the one place where settings, storage, the intake core and Telegram meet."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import signal
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from telegram import BotCommand, BotCommandScopeAllGroupChats, Update
from telegram.error import NetworkError, TelegramError
from telegram.ext import Application, ContextTypes

from bot.cases.casework import Casework
from bot.cases.coalitions import CoalitionDirectory
from bot.cases.complainants import ComplainantCases
from bot.cases.directory_file import load_coalitions, write_demo_coalitions
from bot.cases.retention import Retention, RetentionRound
from bot.cases.submission import Submission
from bot.cases.ways import ContactWays
from bot.cases.withdrawal import Withdrawals
from bot.chat.database_executor import in_database, use_database_threads
from bot.chat.delivery import Courier
from bot.chat.flood import FloodGuard
from bot.chat.followup import FollowUpHandlers
from bot.chat.handlers import IntakeHandlers
from bot.chat.poller import DurablePoller
from bot.chat.staff import StaffHandlers
from bot.chat.telegram_request import bot_requests
from bot.chat.wiper import Wiper
from bot.config import Settings
from bot.i18n import Catalogs
from bot.intake.draft import Draft
from bot.intake.form import Form
from bot.intake.loader import load_form
from bot.intake.service import IntakeService
from storage.at_rest import AtRestSealer
from storage.case_codes import confirmation_digest, confirmation_part, matches_confirmation
from storage.database import make_engine, make_sessions
from storage.handles import account_handle, staff_pseudonym
from storage.migrate import upgrade_database
from storage.sealing import fingerprint, seal_case
from storage.server_keys import ServerKeys, load_or_create_server_keys
from storage.unit_of_work import SqlUnitOfWork

log = logging.getLogger(__name__)
HOUSEKEEPING_EVERY = dt.timedelta(minutes=5)
REMEMBER_UPDATES_FOR = dt.timedelta(days=7)
ABANDONED_SPAN = 500


@dataclass(frozen=True)
class Tidied:
    drafts: int
    cases: RetentionRound


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
    def database(self) -> Engine:
        return make_engine(self.settings.resolved_database_url)

    @cached_property
    def sessions(self) -> sessionmaker[Session]:
        return make_sessions(self.database)

    @cached_property
    def sealer(self) -> AtRestSealer:
        return AtRestSealer(self.keys.at_rest_keys)

    @cached_property
    def coalitions_file(self) -> Path:
        configured = self.settings.coalitions_file
        if configured is not None:
            return configured
        demo = self.settings.data_dir / "coalitions.demo.yaml"
        if not demo.exists():
            write_demo_coalitions(demo, self.settings.data_dir / "demo-keys")
        return demo

    @cached_property
    def directory(self) -> CoalitionDirectory:
        directory = load_coalitions(self.coalitions_file)
        if directory.is_demo:
            log.warning(
                "DEMO coalitions in use (%s): their keys sit on this server; "
                "do not take real complaints",
                self.coalitions_file,
            )
        return directory

    @cached_property
    def ways(self) -> ContactWays:
        return ContactWays(self.keys.handle_key)

    @cached_property
    def submission(self) -> Submission:
        return Submission(
            self.form, self.directory, self.catalogs, seal_case, fingerprint, self.ways
        )

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
        )

    @cached_property
    def casework(self) -> Casework:
        return Casework(self.unit_of_work, self.directory, self.catalogs, seal_case)

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

    def build_application(
        self, on_sent: Callable[[], None] | None = None
    ) -> tuple[Application, Wiper]:  # type: ignore[type-arg]
        base = self.settings.api_base
        calls, polls = bot_requests()
        application = (
            Application.builder()
            .token(self.settings.require_token())
            .base_url(f"{base}/bot")
            .base_file_url(f"{base}/file/bot")
            .request(calls)
            .get_updates_request(polls)
            .updater(None)
            .build()
        )
        wiper = Wiper(application.bot, self.unit_of_work)
        staff = StaffHandlers(self.casework, self.catalogs, self.pseudonym_of, on_sent)
        staff.register(application)
        followup = FollowUpHandlers(
            self.complainant_cases, staff, self.catalogs, self.handle_of, wiper, on_sent
        )
        followup.register(application)
        handlers = IntakeHandlers(
            self.service,
            self.catalogs,
            self.handle_of,
            wiper,
            on_sent,
            demo=self.directory.is_demo,
            flood=FloodGuard(
                per_second=self.settings.flood_per_second, burst=self.settings.flood_burst
            ),
            withdrawals=Withdrawals(self.unit_of_work, self.directory, seal_case),
            complainants=self.complainant_cases,
        )
        handlers.register(application)
        return application, wiper

    def tidy(self, *, dry_run: bool = False) -> Tidied:
        """Purge expired drafts and, per coalition retention, closed cases (warning first)."""
        now = dt.datetime.now(dt.UTC)
        drafts = 0
        if not dry_run:
            with self.unit_of_work() as unit:
                for payload in unit.drafts.expired(now):
                    _wipe_abandoned(unit, Draft.from_bytes(payload), now)
                drafts = unit.drafts.purge_expired(now)
                unit.updates.forget_before(now - REMEMBER_UPDATES_FOR)
                unit.commit()
        cases = Retention(self.unit_of_work, self.directory).run(now, dry_run=dry_run)
        if not dry_run and (drafts or cases.purged):
            self._checkpoint()
        return Tidied(drafts, cases)

    def _checkpoint(self) -> None:
        """Push deleted pages out of SQLite's write-ahead log, so they are overwritten too."""
        if self.database.dialect.name == "sqlite":
            connection = self.database.raw_connection()
            try:
                connection.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                connection.close()


def _wipe_abandoned(unit: SqlUnitOfWork, draft: Draft, now: dt.datetime) -> None:
    """An abandoned conversation is deleted from the chat with its draft, while Telegram still
    allows it (drafts live 47 hours; deletion is possible for 48)."""
    if draft.chat_id is None or draft.first_message_id is None:
        return
    ids = list(range(draft.first_message_id, draft.first_message_id + ABANDONED_SPAN))
    unit.wipes.add(draft.chat_id, ids, now, now + dt.timedelta(hours=1))


async def serve(runtime: Runtime, stop: asyncio.Event | None = None) -> None:
    """Run the bot until SIGINT/SIGTERM (or until `stop` is set)."""
    stop = stop or _stop_on_signals()
    use_database_threads(runtime.database.dialect.name)
    runtime.directory  # noqa: B018 - a broken coalitions file stops the start, not a submission
    wake = asyncio.Event()
    application, wiper = runtime.build_application(on_sent=wake.set)
    poller = DurablePoller(application)

    async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        poller.record_failure(update)
        update_id = update.update_id if isinstance(update, Update) else None
        log.error("update %s failed: %s", update_id, type(context.error).__name__)

    application.add_error_handler(on_error)
    if not await _initialize(application, stop):
        log.info("stopped before Telegram answered")
        return
    try:
        await _describe_bot(application, runtime.catalogs)
        courier = Courier(
            application.bot,
            runtime.unit_of_work,
            runtime.directory,
            runtime.catalogs,
            lease=dt.timedelta(seconds=runtime.settings.delivery_lease_seconds),
            wake=wake,
            wiper=wiper,
        )
        background = [
            asyncio.create_task(_keep_tidy(runtime, stop)),
            asyncio.create_task(courier.run(stop)),
            asyncio.create_task(wiper.run(stop)),
        ]
        log.info("bot started; polling for updates")
        await poller.run(stop)
        await poller.confirm()
        stop.set()
        await asyncio.gather(*background, return_exceptions=True)
    finally:
        await application.shutdown()


async def _initialize(application: Application, stop: asyncio.Event) -> bool:  # type: ignore[type-arg]
    """Wait for Telegram to answer; False if told to stop first."""
    pause = 1.0
    while True:
        try:
            await application.initialize()
            return True
        except NetworkError as error:
            log.warning(
                "Telegram is not reachable (%s); retrying in %.0f s", type(error).__name__, pause
            )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), pause)
            if stop.is_set():
                return False
            pause = min(pause * 2, 30.0)


async def _describe_bot(application: Application, catalogs: Catalogs) -> None:  # type: ignore[type-arg]
    for language in catalogs.offered:
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
                staff_commands, scope=BotCommandScopeAllGroupChats(), language_code=language
            )
            await application.bot.set_my_commands(commands, language_code=language)
            await application.bot.set_my_description(description, language_code=language)
            await application.bot.set_my_short_description(description, language_code=language)
        except TelegramError as error:
            log.warning("could not set the command menu: %s", type(error).__name__)
            return


async def _keep_tidy(runtime: Runtime, stop: asyncio.Event) -> None:
    while not stop.is_set():
        try:
            tidied = await in_database(runtime.tidy)
            if tidied.drafts or tidied.cases.purged or tidied.cases.warned:
                log.info(
                    "purged %d expired drafts and %d closed cases; %d retention warnings",
                    tidied.drafts,
                    len(tidied.cases.purged),
                    len(tidied.cases.warned),
                )
        except Exception as error:  # housekeeping must never stop the bot
            log.error("housekeeping failed: %s", type(error).__name__)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), HOUSEKEEPING_EVERY.total_seconds())


def _stop_on_signals() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    return stop
