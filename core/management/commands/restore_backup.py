"""``manage.py restore_backup DIR``: pg_restore DIR/db.dump into the configured database (which must
be empty) and copy DIR/media into the configured store (which must be empty). ``deploy/restore.sh``
runs it, then ``verify_restore`` and ``audit_verify``."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core import backup


class Command(BaseCommand):
    help = "Restore a backup into an empty database and an empty file store."

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)
        parser.add_argument("--database", default="default")
        parser.add_argument("--jobs", type=int, default=1, help="pg_restore's parallel jobs (1: one transaction)")
        parser.add_argument("--skip-media", action="store_true", help="the database only")

    def handle(self, *args, **options):
        try:
            backup.check_targets(options["directory"], using=options["database"], media=not options["skip_media"])
            backup.restore_database(options["directory"], using=options["database"], jobs=options["jobs"])
            self.stdout.write("database restored")
            if not options["skip_media"]:
                count = backup.restore_media(options["directory"])
                self.stdout.write(f"{count} files restored")
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
