"""Build one monthly return: ``monthly_return 1404 5 --province WAZ --format xlsx --out r.xlsx``.

Without ``--province`` it is the national return. ``--snapshot`` also stores a new
snapshot version (the same Celery task as the 1st-of-month job, run in this process: no worker or
broker needed) and exports from it.
"""

import time

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Province
from core.errors import DomainError
from reports import exports, returns
from reports.models import MonthlyReturn
from reports.tasks import build_monthly_return


class Command(BaseCommand):
    help = "Build one monthly settlement return (a Jalali month, a province or the nation) and export it."

    def add_arguments(self, parser):
        parser.add_argument("year", type=int, help="Jalali year, e.g. 1404")
        parser.add_argument("month", type=int, help="Jalali month 1-12")
        parser.add_argument("--province", default="", help="province code; omit for the national return")
        parser.add_argument("--format", choices=["json", "xlsx", "pdf", "csv"], default="json")
        parser.add_argument("--out", default="", help="output file (default: standard output for json/csv)")
        parser.add_argument("--snapshot", action="store_true", help="also store a new snapshot version")
        parser.add_argument(
            "--provisional", action="store_true", help="with --snapshot: allow a month that has not ended"
        )

    def handle(self, *args, year, month, province, format, out, snapshot, provisional, **options):
        if not 1 <= month <= 12:
            raise CommandError(f"month {month} is not 1..12")
        prov = None
        if province:
            try:
                prov = Province.objects.get(code=province.upper())
            except Province.DoesNotExist:
                raise CommandError(f"--province: no province with code '{province}'") from None
        if format in ("xlsx", "pdf") and not out:
            raise CommandError(f"--out FILE is required for --format {format}")
        t0 = time.monotonic()
        try:
            if snapshot:
                snap = MonthlyReturn.objects.get(
                    pk=build_monthly_return.apply(
                        (year, month, prov.pk if prov else None), {"provisional": provisional}, throw=True
                    ).get()
                )
                figures = snap.figures
            else:
                figures = returns.build_figures(year, month, prov)
        except DomainError as exc:
            raise CommandError(str(exc)) from exc
        if format in ("json", "csv"):
            self.stdout.ending = ""  # streamed in chunks: no newline added after each
            stream = open(out, "w", encoding="utf-8", newline="") if out else self.stdout
            try:
                (exports.write_json if format == "json" else exports.write_csv)(figures, stream)
            finally:
                if out:
                    stream.close()
        elif format == "xlsx":
            with open(out, "wb") as f:
                exports.write_xlsx(figures, f)
        else:
            with open(out, "wb") as f:
                f.write(exports.render_pdf(figures))
        if out:
            self.stderr.write(
                f"{figures['label']} {figures['province'] or 'national'}: closing {figures['closing']}, "
                f"{format} written to {out} in {time.monotonic() - t0:.2f} s"
            )
