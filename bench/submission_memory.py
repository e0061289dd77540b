"""What sending a report with large attachments costs: memory, the write lock, the upload.

    .venv/bin/python -m bench.submission_memory [--files 2] [--mb 20] [--chunks-read]

Builds a draft with `--files` attachments of `--mb` MiB each (random bytes behind a JPEG
signature) in a SQLite database in a temporary DATA_DIR, then submits it as the bot does: the
case is packed and sealed ahead (`Submission.prepare`, outside any transaction), then one unit
of work stores it (route, copy the sealed chunks in, queue). Then the courier delivers it to a
local HTTP sink standing in for the Bot API (it reads the upload in pieces and throws them
away, so only the bot's own memory is measured; it has no 50 MB cap, like a self-hosted Bot API
server). Prints, for each phase, the peak resident memory above what the process held before
it (sampled every 2 ms), how long it took, and the longest any other writer had to wait for the
SQLite write lock (a second connection tries `BEGIN IMMEDIATE` every 5 ms throughout).

Attachments over the case limit (45 MB by default, CASE_FILES_LIMIT_MB) would be refused at
intake; the bench builds the draft directly, so `--files 10 --mb 20` measures what an operator
who raised the limit (with a self-hosted Bot API server) would see.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import hashlib
import os
import secrets
import sqlite3
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psutil
from aiohttp import web
from telegram.ext import Application

from bot.app import Runtime
from bot.chat.delivery import Courier
from bot.chat.telegram_request import AiohttpRequest
from bot.config import Settings
from bot.intake import engine
from bot.intake.draft import Draft

MIB = 1024 * 1024
TOKEN = "123456789:AAEbenchbenchbenchbenchbenchbench12"  # noqa: S105


class Peak:
    """The process's peak RSS above a baseline while a block runs."""

    def __init__(self) -> None:
        self._process = psutil.Process()
        self.before = self.peak = 0

    @contextmanager
    def sampling(self) -> Iterator[None]:
        self.before = self.peak = self._process.memory_info().rss
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                self.peak = max(self.peak, self._process.memory_info().rss)
                time.sleep(0.002)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        try:
            yield
        finally:
            done.set()
            sampler.join()

    @property
    def above(self) -> float:
        return (self.peak - self.before) / MIB


class LockProbe:
    """Another writer: the longest it waited for SQLite's write lock while the probe ran."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self.longest = 0.0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._probe, daemon=True)

    def _probe(self) -> None:
        connection = sqlite3.connect(self._path, timeout=60, isolation_level=None)
        while not self._done.is_set():
            started = time.perf_counter()
            connection.execute("BEGIN IMMEDIATE")
            self.longest = max(self.longest, time.perf_counter() - started)
            connection.execute("ROLLBACK")
            time.sleep(0.005)
        connection.close()

    def __enter__(self) -> LockProbe:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=2)
    parser.add_argument("--mb", type=int, default=20)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder) / "data"
        settings = Settings(telegram_bot_token=TOKEN, data_dir=data_dir, _env_file=None)
        runtime = Runtime(settings)
        runtime.upgrade_database()
        handle, draft = "bench-handle", _draft(runtime, arguments.files, arguments.mb)
        now = dt.datetime.now(dt.UTC)
        database = data_dir / "complaint-bot.sqlite3"
        packing, storing, sending = Peak(), Peak(), Peak()
        with LockProbe(database) as packing_lock:
            started = time.perf_counter()
            with packing.sampling():
                prepared = runtime.submission.prepare(_loader(runtime, handle), draft, now)
            packed_in = time.perf_counter() - started
        with LockProbe(database) as storing_lock:
            started = time.perf_counter()
            with storing.sampling(), runtime.unit_of_work() as unit:
                receipt = runtime.submission.submit(unit, handle, draft, now, prepared)
                unit.drafts.delete(handle)
                unit.commit()
            stored_in = time.perf_counter() - started
        if prepared is not None:
            prepared.close()
        with LockProbe(database) as sending_lock:
            started = time.perf_counter()
            with sending.sampling():
                received = asyncio.run(_deliver(runtime))
            sent_in = time.perf_counter() - started
        runtime.database.dispose()
    total = arguments.files * arguments.mb
    print(f"attachments: {arguments.files} x {arguments.mb} MiB = {total} MiB")
    print(f"case: {receipt.reference}, uploaded {received / MIB:.1f} MiB (case and receipt)")
    print(f"RSS before: {packing.before / MIB:.0f} MiB")
    for name, peak, took, probe in (
        ("pack and seal (no transaction)", packing, packed_in, packing_lock),
        ("store (one unit of work)", storing, stored_in, storing_lock),
        ("deliver (courier, upload)", sending, sent_in, sending_lock),
    ):
        print(
            f"{name}: peak +{peak.above:.0f} MiB, {took:.2f} s, "
            f"longest wait for the write lock {probe.longest * 1000:.0f} ms"
        )


def _loader(runtime: Runtime, handle: str) -> Callable[[str], bytes]:
    def load(ref: str) -> bytes:
        with runtime.unit_of_work() as unit:
            data = unit.drafts.get_file(handle, ref)
        assert data is not None
        return data

    return load


def _draft(runtime: Runtime, files: int, mb: int) -> Draft:
    draft = engine.start(runtime.form, "en")
    draft.answers.update(
        {"a_safe_now": "yes", "a_urgent": "no", "b_consent_store": "yes", "e_country": "KZ"}
    )
    draft.history = list(draft.answers)
    now = dt.datetime.now(dt.UTC)
    with runtime.unit_of_work() as unit:
        unit.drafts.put("bench-handle", draft.to_bytes(), now, dt.timedelta(hours=47))
        unit.commit()
    refs = []
    for number in range(files):
        data = b"\xff\xd8\xff\xe0" + os.urandom(mb * MIB - 4)
        ref = secrets.token_hex(16)
        refs.append(
            {"ref": ref, "name": f"photo-{number}.jpg", "mime": "image/jpeg",
             "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
        )  # fmt: skip
        with runtime.unit_of_work() as unit:
            unit.drafts.add_file("bench-handle", ref, data)
            unit.commit()
        del data
    draft.answers["h_files"] = refs  # type: ignore[assignment]
    return draft


async def _deliver(runtime: Runtime) -> int:
    """Deliver what is queued through the real courier and transport to a discarding sink."""
    received = [0]

    async def method(request: web.Request) -> web.Response:
        async for piece in request.content.iter_chunked(64 * 1024):
            received[0] += len(piece)
        if request.match_info["method"].lower() == "getme":
            bot = {"id": 123456789, "is_bot": True, "first_name": "bench", "username": "bench_bot"}
            return web.json_response({"ok": True, "result": bot})
        chat: dict[str, Any] = {"id": -100123, "type": "supergroup", "title": "staff"}
        result = {"message_id": 1, "date": int(time.time()), "chat": chat}
        return web.json_response({"ok": True, "result": result})

    app = web.Application(client_max_size=4 * 1024 * MIB)
    app.router.add_post("/bot{token}/{method}", method)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    base = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"  # type: ignore[union-attr]
    application = (
        Application.builder()
        .token(TOKEN)
        .base_url(f"{base}/bot")
        .request(AiohttpRequest(media_read_timeout=120.0))
        .updater(None)
        .build()
    )
    try:
        async with application:
            courier = Courier(
                application.bot,
                runtime.unit_of_work,
                runtime.directory,
                runtime.catalogs,
                relays=runtime.relays,
                receipts=runtime.receipt_key,
                spool_folder=runtime.spool_folder,
            )
            delivered = await courier.deliver_due()
            assert delivered == 1, delivered
    finally:
        await runner.cleanup()
    return received[0]


if __name__ == "__main__":
    main()
