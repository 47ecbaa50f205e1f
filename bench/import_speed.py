"""Importer speed: validation alone and the full import of a generated ICS export.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/importbench python bench/import_speed.py --rows 100000

Builds a CSV export of N declarations (one goods line each, valid plates, real office codes),
then times (1) reading + validating every row, (2) the whole import into the database (empty
declaration tables are expected), and prints one JSON line.
"""

import argparse
import csv
import io
import json
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "transit_monitor.settings")

import django

django.setup()

from django.db import connection  # noqa: E402

from accounts.offices_data import OFFICES, ensure_offices  # noqa: E402
from declarations.import_formats import read_file  # noqa: E402
from declarations.import_validation import Validator, group_rows  # noqa: E402
from declarations.importer import COLUMNS, import_file  # noqa: E402
from declarations.plates import PLATE_LETTERS  # noqa: E402


def make_csv(n: int, seed: int = 7) -> bytes:
    rng = random.Random(seed)
    codes = [o[0] for o in OFFICES]
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(COLUMNS)
    for i in range(n):
        o, d = rng.sample(codes, 2)
        plate = f"{rng.randint(10, 99)}{rng.choice(PLATE_LETTERS)}{rng.randint(100, 999)}{rng.randint(10, 99)}"
        row = {
            "serial": f"B{i:010d}",
            "declared_at": f"1404/0{rng.randint(1, 6)}/{rng.randint(10, 28)} 10:30",
            "origin": o,
            "destination": d,
            "route": f"{o}|{d}",
            "plate": plate,
            "plate_country": "IR",
            "driver_name": "علی رضایی",
            "company_name": "ترابر",
            "company_reg_no": f"C{i % 500}",
            "waybill_no": f"W{i}",
            "seals": "S1|S2",
            "guarantee_amount": "1000000",
            "status": "registered",
            "goods_line": "1",
            "hs_code": "851713",
            "description": "گوشی",
            "quantity": "10",
            "unit": "عدد",
            "gross_weight_kg": "20",
            "value": "3000",
        }
        w.writerow([row.get(c, "") for c in COLUMNS])
    return out.getvalue().encode()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    ensure_offices()
    data = make_csv(args.rows)
    t0 = time.perf_counter()
    validator = Validator()
    bad = 0
    for row, group in group_rows(read_file(data, "bench.csv")):
        try:
            validator.declaration(row, group)
        except Exception:
            bad += 1
    validate_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    summary = import_file(data, "bench.csv")
    import_s = time.perf_counter() - t0
    print(
        json.dumps(
            {
                "rows": args.rows,
                "database": connection.vendor,
                "bytes": len(data),
                "validate_s": round(validate_s, 2),
                "validate_rate_per_s": round(args.rows / validate_s),
                "import_s": round(import_s, 2),
                "import_rate_per_s": round(args.rows / import_s),
                "created": summary.created,
                "rejected": len(summary.rejected),
                "invalid_in_validation": bad,
            }
        )
    )


if __name__ == "__main__":
    main()
