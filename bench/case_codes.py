"""What a case code costs the server: one keyed HMAC-SHA-512 per /check and per submission.

    .venv/bin/python -m bench.case_codes [--rounds 2000]

Prints the time of one derivation (look-up hash and box key, in microseconds: there is no slow
KDF any more, see storage/case_codes.py), of making and opening the code's box, and the memory
the run grew by.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time

from storage.case_codes import derive_code_keys, new_case_code, new_code_box, open_code_box


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2000)
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
    print(f"HMAC derivation, median µs: {statistics.median(derive) * 1e6:.1f}")
    print(f"HMAC derivation, max µs: {max(derive) * 1e6:.1f}")
    print(
        f"new code box (age identity + AES-GCM), median ms: {statistics.median(issue) * 1000:.2f}"
    )
    print(f"open code box, median ms: {statistics.median(unlock) * 1000:.2f}")
    print(f"peak RSS growth during the run, MiB: {(after - before) / 1024:.1f}")


if __name__ == "__main__":
    main()
