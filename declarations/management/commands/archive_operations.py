"""python manage.py archive_operations [--out FILE] [--remove] | --verify FILE | --restore FILE

Exports the transit operations that ended more than ARCHIVE_ACTIVE_YEARS ago, with every record
and evidence file and their SHA-256, into one zip (``declarations.archive``), and verifies it.
``--remove`` then takes out of the active database those also past RETENTION_YEARS (never younger:
the retention guard holds). ``--restore`` brings an archive's operations back; ``--verify`` only
checks one.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.audit import interface
from core.models import Via
from declarations import archive


class Command(BaseCommand):
    help = "Archive ended transit operations (with evidence and hashes), verify, remove past retention, restore."

    def add_arguments(self, parser):
        parser.add_argument("--out", help="the archive to write (default: ARCHIVE_DIR/operations-<time>.zip)")
        parser.add_argument("--years", type=int, help="the active window in years (default ARCHIVE_ACTIVE_YEARS)")
        parser.add_argument("--limit", type=int, default=10_000, help="at most this many operations per archive")
        parser.add_argument(
            "--remove", action="store_true", help="after verifying, remove the archived operations past RETENTION_YEARS"
        )
        parser.add_argument("--verify", metavar="ARCHIVE", help="only verify this archive")
        parser.add_argument("--restore", metavar="ARCHIVE", help="restore the operations of this archive")

    def handle(self, *args, **opts):
        with interface(Via.COMMAND, "archive_operations"):
            try:
                if opts["verify"]:
                    manifest = archive.verify(Path(opts["verify"]))
                    self.stdout.write(f"{opts['verify']}: verified, {len(manifest['operations'])} operations.")
                elif opts["restore"]:
                    counts = archive.restore(Path(opts["restore"]))
                    self.stdout.write(
                        f"Restored: {', '.join(f'{k} {v}' for k, v in sorted(counts.items())) or 'nothing'}."
                    )
                else:
                    self.archive(opts)
            except archive.ArchiveError as exc:
                raise CommandError(str(exc)) from exc

    def archive(self, opts):
        now = timezone.now()
        ids = list(archive.eligible(now, opts["years"]).order_by("pk").values_list("pk", flat=True)[: opts["limit"]])
        if not ids:
            self.stdout.write("No ended operation is older than the active window: nothing to archive.")
            return
        out = Path(opts["out"] or Path(settings.ARCHIVE_DIR) / f"operations-{now:%Y%m%dT%H%M%S}.zip")
        archive.write(out, ids, now=now)
        manifest = archive.verify(out)
        self.stdout.write(
            f"{out}: {len(manifest['operations'])} operations, {len(manifest['files'])} files, verified "
            f"(data SHA-256 {manifest['data']['sha256']})."
        )
        if opts["remove"]:
            removed = archive.remove(manifest, now=now)
            kept = len(manifest["operations"]) - len(removed)
            self.stdout.write(
                f"Removed {len(removed)} operations past {settings.RETENTION_YEARS} years from the active database"
                + (f"; {kept} younger ones stay." if kept else ".")
            )
