"""Importer validation alone: ``import_speed``'s generated export read and validated three times.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ib python bench/import_validation_only.py --rows 100000

Prints one JSON line with the rate of each round; nothing is written (the offices are ensured).
"""

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import import_speed as bench  # sets up Django


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    bench.ensure_offices()
    data = bench.make_csv(args.rows)
    rates, bad = [], 0
    for _ in range(args.rounds):
        t0 = time.perf_counter()
        validator, bad = bench.Validator(), 0
        for row, group in bench.group_rows(bench.read_file(data, "bench.csv")):
            try:
                validator.declaration(row, group)
            except Exception:
                bad += 1
        rates.append(round(args.rows / (time.perf_counter() - t0)))
    print(json.dumps({"rows": args.rows, "rates_per_s": rates, "invalid": bad}))


if __name__ == "__main__":
    main()
