"""``manage.py partitions``: the monthly partitions of plate reads, audit entries and notifications
(PostgreSQL; ``core.partitions``).

    partitions ensure [--months N]   make N months ahead (default PARTITION_MONTHS_AHEAD) and the default
    partitions list [--exact]        every partition with its rows (estimate, or counted) and size
    partitions archive [--dry-run]   detach, archive (file + SHA-256, recorded) the months past retention
    partitions verify                read every archived file back and check its SHA-256 and rows
    partitions restore NAME          load an archived month's checked file into archive.NAME, to be read

The beat job ``partitions-daily`` runs ``ensure`` then ``archive``. On SQLite there is nothing to do.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from core import partitions
from core.models import PartitionArchive


def _size(n: int) -> str:
    size = float(n)
    for unit in ("B", "kB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} TB"


class Command(BaseCommand):
    help = "Monthly partitions (PostgreSQL): ensure ahead, list with rows and sizes, archive past retention, verify archives."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        ensure = sub.add_parser("ensure", help="create the coming months' partitions and the default one")
        ensure.add_argument("--months", type=int, default=None, help="months ahead (default PARTITION_MONTHS_AHEAD)")
        listing = sub.add_parser("list", help="partitions with rows and sizes")
        listing.add_argument(
            "--exact", action="store_true", help="count rows (slow on big months) instead of estimates"
        )
        archive = sub.add_parser("archive", help="detach and archive the months past each table's retention")
        archive.add_argument("--dry-run", action="store_true", help="only say which months are due")
        sub.add_parser("verify", help="check every archived partition's file against its recorded SHA-256 and rows")
        restore = sub.add_parser(
            "restore", help="load an archived month's file (checked first) into the archive schema, to be read"
        )
        restore.add_argument("partition", help="the partition's name, as `list` shows it (e.g. anpr_plateread_p202001)")

    def handle(self, *args, **opts):
        if not partitions.is_postgresql():
            self.stdout.write("not PostgreSQL: tables are not partitioned, nothing to do")
            return
        getattr(self, f"_{opts['action'].replace('-', '_')}")(opts)

    def _ensure(self, opts):
        for table, created in partitions.ensure_all(opts["months"]).items():
            self.stdout.write(f"{table}: " + (", ".join(created) + " created" if created else "up to date"))

    def _list(self, opts):
        for table in partitions.REGISTRY:
            parts = partitions.partitions(table, exact=opts["exact"])
            if not parts:
                self.stdout.write(f"{table}: not partitioned")
                continue
            months = partitions.retention_months(table)
            keep = "kept for ever" if months is None else f"retention {months} months"
            total_rows, total_bytes = sum(p.rows for p in parts), sum(p.bytes for p in parts)
            self.stdout.write(f"{table} ({keep}): {len(parts)} partitions, {total_rows} rows, {_size(total_bytes)}")
            for p in parts:
                span = "default" if p.is_default else f"{p.start:%Y-%m-%d} .. {p.end:%Y-%m-%d}"
                self.stdout.write(f"  {p.name:<40} {span:<24} {p.rows:>12} rows {_size(p.bytes):>10}")
            archived = PartitionArchive.objects.filter(table=table)
            for a in archived:
                where = "file + archive schema" if a.kept_in_database else "file"
                self.stdout.write(
                    f"  {a.partition:<40} archived {a.archived_at:%Y-%m-%d} {a.rows:>8} rows in {where}: {a.file}"
                )
        if not opts["exact"]:
            self.stdout.write("(rows are PostgreSQL's estimates; --exact counts them)")

    def _archive(self, opts):
        if opts["dry_run"]:
            for table in partitions.REGISTRY:
                for p in partitions.due(table) if partitions.is_partitioned(table) else []:
                    self.stdout.write(f"{p.name}: due ({p.rows} rows)")
            return
        for outcome in partitions.archive_due():
            if outcome.archived:
                self.stdout.write(
                    f"{outcome.name}: {outcome.rows} rows archived to {outcome.file} (sha256 {outcome.sha256})"
                )
            else:
                self.stdout.write(f"{outcome.name}: stays attached: {outcome.reason}")

    def _verify(self, opts):
        bad = 0
        for record in PartitionArchive.objects.all():
            try:
                partitions.verify_file(record)
            except (partitions.PartitionArchiveError, OSError) as e:
                bad += 1
                self.stdout.write(f"{record.partition}: BAD: {e}")
            else:
                self.stdout.write(f"{record.partition}: ok ({record.rows} rows, sha256 {record.sha256})")
        if bad:
            raise CommandError(f"{bad} archived partition(s) do not match their record", returncode=1)

    def _restore(self, opts):
        try:
            outcome = partitions.restore_partition(opts["partition"])
        except (partitions.PartitionArchiveError, OSError) as e:
            raise CommandError(str(e), returncode=1) from e
        self.stdout.write(
            f"{outcome.name}: {outcome.rows} rows restored into {partitions.ARCHIVE_SCHEMA}.{outcome.name} "
            f"from {outcome.file} (sha256 {outcome.sha256} checked); the month stays detached"
        )
