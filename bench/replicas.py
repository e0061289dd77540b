"""Webhook replicas on PostgreSQL: throughput and CPU per complaint for 1, 2 and 3 replicas.

    .venv/bin/python -m bench.replicas [--complaints 12] [--replicas 1 2 3]

Each round starts N replicas (`complaint-bot run --webhook`) on a fresh PostgreSQL database
behind the test suite's round-robin front, and has `--complaints` complainants walk the whole
form at once through a Telegram-like pusher (tests/webhook_kit.py), photo included, until
every case reached its staff chat. It reports complaints per minute (wall clock, so bounded by
the simulated people's reading pauses as much as by the bot) and the replicas' CPU seconds per
complaint (user + system of every replica process). Not a timed test: figures depend on the
machine; docs/benchmarks.md has the ones measured.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import tempfile
import time
from pathlib import Path

import psutil
from sqlalchemy import create_engine, text

from bot.app import Runtime
from bot.chat.durations import use_timedelta_durations
from tests.e2e import TOKEN, make_coalitions, named, person_id, sealed_files, settings_for
from tests.standin import BotApiStandIn
from tests.test_e2e_cases import COUNTRIES, report, submit
from tests.webhook_kit import Pusher, Replica, RoundRobin, WebhookComplainant

ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


async def one_round(replicas: int, complaints: int) -> tuple[float, float]:
    name = f"complaint_bench_{secrets.token_hex(4)}"
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        with tempfile.TemporaryDirectory() as folder:
            return await _measure(Path(folder), url, replicas, complaints)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


async def _measure(folder: Path, url: str, size: int, complaints: int) -> tuple[float, float]:
    async with BotApiStandIn(token=TOKEN) as standin:
        coalitions, teams = make_coalitions(standin, folder / "config")
        settings = settings_for(standin, folder / "data", url, coalitions)
        runtime = Runtime(settings)
        runtime.upgrade_database()
        runtime.keys  # noqa: B018 - shared by every replica
        runtime.database.dispose()
        env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": settings.require_token(),
            "TELEGRAM_API_URL": standin.url,
            "DATA_DIR": str(settings.data_dir),
            "DATABASE_URL": url,
            "COALITIONS_FILE": str(coalitions),
            "LOG_LEVEL": "WARNING",
            "FLOOD_BURST": "10000",
            "WEBHOOK_URL": "https://bot.example.test/telegram",
            "WEBHOOK_SECRET_TOKEN": "bench-secret-token-0123456789",
            "SEND_PER_SECOND": str(25 / size),
        }
        group = [Replica(env, f"replica-{n}") for n in range(size)]
        await asyncio.gather(*(replica.start() for replica in group))
        front = RoundRobin(group)
        await front.start()
        pusher = Pusher(standin, front.url, secret=env["WEBHOOK_SECRET_TOKEN"])
        stop = asyncio.Event()
        pushing = asyncio.create_task(pusher.run(stop))
        processes = [psutil.Process(r.process.pid) for r in group if r.process is not None]
        cpu_before = sum(sum(p.cpu_times()[:2]) for p in processes)
        started = time.monotonic()
        countries = list(COUNTRIES)

        async def one(seed: int) -> str:
            user = standin.user(person_id(seed), named("Bench"), language_code="en")
            person = WebhookComplainant(standin, user, "en", quiet=0.25, pusher=pusher)
            country = countries[seed % len(countries)]
            return await submit(person, report(country, f"bench case {seed}"))

        references = await asyncio.gather(*(one(5000 + n) for n in range(complaints)))

        def arrived() -> bool:
            names = {m.document_name for t in teams.values() for m in sealed_files(t)}
            return all(f"{r}.age" in names for r in references)

        await standin.wait_for(arrived, timeout=120)
        elapsed = time.monotonic() - started
        cpu = sum(sum(p.cpu_times()[:2]) for p in processes) - cpu_before
        stop.set()
        await pushing
        await asyncio.gather(*(replica.stop() for replica in group))
        await front.stop()
        return complaints / elapsed * 60, cpu / complaints


def main() -> None:
    use_timedelta_durations()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--complaints", type=int, default=12)
    parser.add_argument("--replicas", type=int, nargs="+", default=[1, 2, 3])
    arguments = parser.parse_args()
    print(f"{arguments.complaints} complainants at once, each through the whole form")
    print("| replicas | complaints per minute | replica CPU seconds per complaint |")
    print("| --- | --- | --- |")
    for size in arguments.replicas:
        rate, cpu = asyncio.run(one_round(size, arguments.complaints))
        print(f"| {size} | {rate:.1f} | {cpu:.2f} |", flush=True)


if __name__ == "__main__":
    main()
