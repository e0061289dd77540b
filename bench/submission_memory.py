"""What sending a report with large attachments costs: peak memory and time of the submission.

    .venv/bin/python -m bench.submission_memory [--files 10] [--mb 20]

Builds a draft with `--files` attachments of `--mb` MiB each (random bytes behind a JPEG
signature) in a SQLite database in a temporary DATA_DIR, then submits it as the bot does (route,
package, seal, store, queue) in one unit of work. Prints the process's resident memory just
before, its peak during the submission (sampled every 2 ms), and how long the unit of work took.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import secrets
import tempfile
import threading
import time
from pathlib import Path

import psutil

from bot.app import Runtime
from bot.config import Settings
from bot.intake import engine
from bot.intake.draft import Draft

MIB = 1024 * 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=10)
    parser.add_argument("--mb", type=int, default=20)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder) / "data"
        settings = Settings(
            telegram_bot_token="123456789:AAEbenchbenchbenchbenchbenchbench12",  # noqa: S106
            data_dir=data_dir,
            _env_file=None,
        )
        runtime = Runtime(settings)
        runtime.upgrade_database()
        handle, draft = "bench-handle", _draft(runtime)
        now = dt.datetime.now(dt.UTC)
        with runtime.unit_of_work() as unit:
            unit.drafts.put(handle, draft.to_bytes(), now, dt.timedelta(hours=47))
            unit.commit()
        refs = []
        for number in range(arguments.files):
            data = b"\xff\xd8\xff\xe0" + os.urandom(arguments.mb * MIB - 4)
            ref = secrets.token_hex(16)
            refs.append(
                {"ref": ref, "name": f"photo-{number}.jpg", "mime": "image/jpeg",
                 "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
            )  # fmt: skip
            with runtime.unit_of_work() as unit:
                unit.drafts.add_file(handle, ref, data)
                unit.commit()
            del data
        draft.answers["h_files"] = refs  # type: ignore[assignment]
        process = psutil.Process()
        before = process.memory_info().rss
        peak = [before]
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                peak[0] = max(peak[0], process.memory_info().rss)
                time.sleep(0.002)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        started = time.perf_counter()
        with runtime.unit_of_work() as unit:
            receipt = runtime.submission.submit(unit, handle, draft, now)
            unit.drafts.delete(handle)
            unit.commit()
        took = time.perf_counter() - started
        done.set()
        sampler.join()
        runtime.database.dispose()
    total = arguments.files * arguments.mb
    print(f"attachments: {arguments.files} x {arguments.mb} MiB = {total} MiB")
    print(f"case: {receipt.reference}")
    print(f"RSS before submission: {before / MIB:.0f} MiB")
    print(f"RSS peak during submission: {peak[0] / MIB:.0f} MiB (+{(peak[0] - before) / MIB:.0f})")
    print(f"unit of work (holds the SQLite write lock): {took:.2f} s")


def _draft(runtime: Runtime) -> Draft:
    draft = engine.start(runtime.form, "en")
    draft.answers.update(
        {"a_safe_now": "yes", "a_urgent": "no", "b_consent_store": "yes", "e_country": "KZ"}
    )
    draft.history = list(draft.answers)
    return draft


if __name__ == "__main__":
    main()
