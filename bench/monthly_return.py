"""Benchmark of the monthly return on the current database (PostgreSQL for the real figures).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench10m \\
        .venv/bin/python bench/monthly_return.py [--year 1404 --month 5] [--province CODE] [--json]

Measures, in one run on the same rows:
  1. raw_sql_*: the plain GROUP BY over the same rows (province × status counts of the
     month's row set), national and for the province: the floor any report pays;
  2. province_e2e / national_e2e: the Celery job end to end (``build_monthly_return``:
     figures, XLSX + CSV in one streamed pass, PDF, files and snapshot row saved); in
     process (eager) unless REDIS_URL points at a broker with a running worker;
  3. year_summary: the balance of the 12 months of the year, national;
  4. phases of the national and the province build (figures, XLSX+CSV, PDF) and peak RSS,
     to show memory does not follow the length of the serial list.

Goals (issue 6): province <= 5 s; national <= 30 s and <= 10x raw SQL + 5 s; year <= 60 s.
The snapshots it builds are deleted at the end (drafts) unless --keep; media goes to a
temporary directory unless MEDIA_ROOT is set.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "transit_monitor.settings")
os.environ.setdefault("MEDIA_ROOT", tempfile.mkdtemp(prefix="bench-media-"))

import django

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Max  # noqa: E402

from accounts.models import Province  # noqa: E402
from core.dates import jalali_month_bounds, jalali_month_of, previous_jalali_month  # noqa: E402
from declarations.models import TransitDeclaration  # noqa: E402
from reports import exports, returns  # noqa: E402
from reports.models import MonthlyReturn  # noqa: E402
from reports.tasks import build_monthly_return  # noqa: E402

RAW_SQL = """
SELECT o.province_id, t.status, count(*)
FROM declarations_transitdeclaration t JOIN accounts_customsoffice o ON o.id = t.origin_id
WHERE t.declared_at < %(end)s
  AND (t.settled_at IS NULL OR t.settled_at >= %(start)s OR t.declared_at >= %(start)s)
  {province}
GROUP BY 1, 2
"""


def rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def timed(fn, *args, **kwargs):
    t0 = time.perf_counter()
    result = fn(*args, **kwargs)
    return round(time.perf_counter() - t0, 3), result


def raw_sql(start, end, province_id=None) -> int:
    sql = RAW_SQL.format(province="AND o.province_id = %(province)s" if province_id else "")
    with connection.cursor() as cur:
        cur.execute(sql, {"start": start, "end": end, "province": province_id})
        return sum(r[2] for r in cur.fetchall())


def build(year, month, province_id):
    result = build_monthly_return.delay(year, month, province_id)
    return MonthlyReturn.objects.get(pk=result.get(timeout=3600))


def phases(year, month, province, prefix: str) -> dict:
    """Figures, XLSX + CSV (one pass), PDF of one build, timed one by one."""
    out = {}
    out[f"{prefix}phase_figures_s"], figures = timed(returns.build_figures, year, month, province)
    with tempfile.TemporaryFile() as xf, tempfile.TemporaryFile() as cf:
        text = io.TextIOWrapper(cf, encoding="utf-8-sig", newline="")
        out[f"{prefix}phase_xlsx_csv_s"], _n = timed(exports.write_xlsx, figures, xf, csv_out=text)
        text.flush()
        out[f"{prefix}xlsx_mb"] = round(xf.tell() / 1e6, 1)
        out[f"{prefix}csv_mb"] = round(cf.tell() / 1e6, 1)
        text.detach()
    out[f"{prefix}phase_pdf_s"], pdf = timed(exports.render_pdf, figures)
    out[f"{prefix}pdf_kb"] = round(len(pdf) / 1e3)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--year", type=int)
    parser.add_argument("--month", type=int)
    parser.add_argument("--province", default="", help="province code (default: the one with most unsettled)")
    parser.add_argument("--skip-year", action="store_true", help="skip the 12-month summary")
    parser.add_argument("--keep", action="store_true", help="keep the snapshots built")
    parser.add_argument("--json", action="store_true", help="print one JSON line only")
    args = parser.parse_args()

    total = TransitDeclaration.objects.count() if connection.vendor != "postgresql" else None
    if total is None:
        with connection.cursor() as cur:
            cur.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = 'declarations_transitdeclaration'")
            total = cur.fetchone()[0]
    if args.year and args.month:
        year, month = args.year, args.month
    else:  # the last complete month of the data
        latest = TransitDeclaration.objects.aggregate(m=Max("declared_at"))["m"]
        year, month = previous_jalali_month(*jalali_month_of(latest))
    start, end = jalali_month_bounds(year, month)
    out: dict = {"db": connection.vendor, "declarations": total, "year": year, "month": month}
    before = set(MonthlyReturn.objects.values_list("pk", flat=True))

    out["raw_sql_national_s"], out["raw_sql_national_rows"] = timed(raw_sql, start, end)
    out["national_e2e_s"], national = timed(build, year, month, None)
    out["national_unsettled"] = national.unsettled_count
    out["rss_after_national_mb"] = rss_mb()

    if args.province:
        province = Province.objects.get(code=args.province)
    else:
        biggest = max(national.figures["provinces"], key=lambda p: p["closing"])
        province = Province.objects.get(code=biggest["province"])
    out["province"] = province.code
    out["raw_sql_province_s"], out["raw_sql_province_rows"] = timed(raw_sql, start, end, province.pk)
    out["province_e2e_s"], snap = timed(build, year, month, province.pk)
    out["province_unsettled"] = snap.unsettled_count

    # Phases of each build, outside the task (same code the task runs).
    out.update(phases(year, month, None, ""))
    out.update(phases(year, month, province, "province_"))
    out["rss_peak_mb"] = rss_mb()

    if not args.skip_year:
        out["year_summary_s"], _ = timed(returns.year_summary, year, None)

    nat, prov = out["national_e2e_s"], out["province_e2e_s"]
    out["goals"] = {
        "province_le_5s": prov <= 5,
        "national_le_30s": nat <= 30,
        "national_le_10x_raw_plus_5": nat <= 10 * out["raw_sql_national_s"] + 5,
        "year_le_60s": None if args.skip_year else out["year_summary_s"] <= 60,
    }
    if not args.keep:
        MonthlyReturn.objects.exclude(pk__in=before).filter(status="draft").delete()

    if args.json:
        print(json.dumps(out, ensure_ascii=False))
        return
    for key, value in out.items():
        print(f"{key:28} {value}")


if __name__ == "__main__":
    main()
