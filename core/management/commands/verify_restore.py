"""``manage.py verify_restore DIR``: compare the database and file store with backup DIR's manifest.

Exit 0 saying what agreed; exit 1 naming every table whose rows differ (count or checksum), every
file missing, altered or extra, and every evidence row whose file does not match its recorded
SHA-256. Run ``audit_verify`` as well: it proves the audit trail's chain on the restored rows."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core import backup


class Command(BaseCommand):
    help = "Compare a restored database and file store with a backup's manifest; exit 1 naming what differs."

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)
        parser.add_argument("--database", default="default")

    def handle(self, *args, **options):
        try:
            manifest = backup.load_manifest(options["directory"])
            differences = backup.verify(options["directory"], using=options["database"])
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        if differences:
            for line in differences:
                self.stderr.write(line)
            raise CommandError(f"{len(differences)} differences from the backup", returncode=1)
        rows = sum(t["rows"] for t in manifest["tables"].values())
        self.stdout.write(
            f"restore matches the backup of {manifest['taken_at']}: {len(manifest['tables'])} tables, "
            f"{rows} rows, {len(manifest['files'])} files, every evidence file matches its recorded SHA-256"
        )
