"""What serving a case to the desk Mini App costs the webhook front in memory.

    .venv/bin/python -m bench.mini_app_memory [--mb 40]

Stores a sealed file of `--mb` MiB (random bytes: sealed files are ciphertext) in a SQLite
database in a temporary DATA_DIR, then produces the route's JSON body as the front does: the file
copied out chunk by chunk into a scratch file, written in base64 pieces. Prints the body's size,
the process's resident memory growth at its peak (sampled every 2 ms) and the time taken.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import tempfile
import threading
import time
from pathlib import Path

import psutil

from bot.app import Runtime
from bot.chat.sealed_copies import copy_out
from bot.config import Settings
from bot.desk_web.mini_app import _case_json

MIB = 1024 * 1024
REFERENCE = "KZ-AAAA-BBBB"


async def _serve(runtime: Runtime) -> int:
    copy = copy_out(runtime.unit_of_work, REFERENCE, 0, runtime.spool_folder)
    assert copy is not None
    size = 0
    async for piece in _case_json(REFERENCE, [((f"{REFERENCE}.age", copy), None)]):
        size += len(piece)
    return size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=40)
    megabytes = parser.parse_args().mb
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(
            telegram_bot_token="123456789:AAEbenchbenchbenchbenchbenchbench12",  # noqa: S106
            data_dir=Path(folder) / "data",
            _env_file=None,
        )
        runtime = Runtime(settings)
        runtime.upgrade_database()
        with runtime.unit_of_work() as unit:
            sealed = os.urandom(megabytes * MIB)
            unit.cases.add(REFERENCE, "kz", "high", dt.date.today(), sealed)
            unit.commit()
        del sealed
        process = psutil.Process()
        before = process.memory_info().rss
        peak = [before]
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                peak[0] = max(peak[0], process.memory_info().rss)
                time.sleep(0.002)

        threading.Thread(target=sample, daemon=True).start()
        started = time.perf_counter()
        size = asyncio.run(_serve(runtime))
        took = time.perf_counter() - started
        done.set()
        print(f"case: {megabytes} MiB sealed; JSON body: {size / MIB:.1f} MiB")
        print(f"resident memory at the peak, above before: +{(peak[0] - before) / MIB:.1f} MiB")
        print(f"time: {took:.2f} s")


if __name__ == "__main__":
    main()
