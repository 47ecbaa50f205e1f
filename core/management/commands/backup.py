"""``manage.py backup DIR``: pg_dump (custom format) of the database, a copy of the file store and a
manifest (rows and checksum per table, SHA-256 of every file) in a new directory DIR. See
core/backup.py and docs/operations.md; ``deploy/backup.sh`` runs it nightly with retention."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core import backup


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump) and the file store into a new directory, with a manifest to verify a restore."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)
        parser.add_argument("--database", default="default")
        parser.add_argument(
            "--no-row-checksums",
            action="store_true",
            help="count rows only (a full read of every table is skipped; the restore check then compares counts)",
        )

    def handle(self, *args, **options):
        try:
            result = backup.take(
                options["directory"], using=options["database"], checksums=not options["no_row_checksums"]
            )
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        m = result.manifest
        rows = sum(t["rows"] for t in m["tables"].values())
        self.stdout.write(
            f"backup in {result.directory}: {len(m['tables'])} tables, {rows} rows, {len(m['files'])} files, "
            f"dump {m['dump']['size']} bytes (sha256 {m['dump']['sha256'][:16]}...)"
        )
        for problem in result.problems:
            self.stderr.write(f"already wrong at backup time: {problem}")
        if result.problems:
            # The backup is complete and kept; the exit status tells the scheduler someone must look.
            raise CommandError(f"{len(result.problems)} evidence files were wrong at backup time", returncode=2)
