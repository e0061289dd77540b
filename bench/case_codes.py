"""What a case code costs the server: Argon2id per /check and per case-code submission.

    .venv/bin/python -m bench.case_codes [--rounds 20]

Prints the time of one derivation (look-up hash and box key), of a full /check miss
(derivation plus an indexed look-up is dominated by the derivation), and the memory one
derivation holds while it runs (Argon2id's 64 MiB).
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time

from storage.case_codes import derive_code_keys, new_case_code, new_code_box, open_code_box


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    rounds = parser.parse_args().rounds
    salt_key = b"s" * 32
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    derive, issue, unlock = [], [], []
    for _ in range(rounds):
        code = new_case_code()
        started = time.perf_counter()
        keys = derive_code_keys(code, salt_key)
        derive.append(time.perf_counter() - started)
        started = time.perf_counter()
        box = new_code_box(keys)
        issue.append(time.perf_counter() - started)
        started = time.perf_counter()
        open_code_box(box.locked_identity, keys)
        unlock.append(time.perf_counter() - started)
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"rounds: {rounds}")
    print(f"Argon2id derivation, median ms: {statistics.median(derive) * 1000:.1f}")
    print(f"Argon2id derivation, max ms: {max(derive) * 1000:.1f}")
    print(
        f"new code box (age identity + AES-GCM), median ms: {statistics.median(issue) * 1000:.2f}"
    )
    print(f"open code box, median ms: {statistics.median(unlock) * 1000:.2f}")
    print(f"peak RSS growth during the run, MiB: {(after - before) / 1024:.1f}")


if __name__ == "__main__":
    main()
