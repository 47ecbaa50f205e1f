"""python manage.py import_ics [--user NAME] FILE [FILE ...] — import ICS exports (CSV, XLSX, JSON) and print
the summary. With --user the import is that user's, with its role and scope; without, the system's."""

import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from declarations.importer import ImportFileError, import_file


class Command(BaseCommand):
    help = "Import transit declarations from ICS export files; idempotent on serial."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+")
        parser.add_argument("--json", action="store_true", help="print the summary as JSON")
        parser.add_argument(
            "--user", help="import as this user, with its role and office scope (default: the system, every office)"
        )

    def handle(self, *args, files, **opts):
        failed = False
        by = None
        if opts.get("user"):
            by = get_user_model().objects.filter(username=opts["user"], is_active=True).first()
            if by is None:
                raise CommandError(f"{opts['user']}: no such active user")
        for name in files:
            path = Path(name)
            if not path.is_file():
                raise CommandError(f"{name}: no such file")
            try:
                summary = import_file(path.read_bytes(), path.name, by=by)
            except ImportFileError as exc:
                self.stderr.write(f"{name}: {exc}")
                failed = True
                continue
            d = summary.as_dict()
            if opts["json"]:
                self.stdout.write(json.dumps({"file": name, **d}, ensure_ascii=False))
                continue
            self.stdout.write(
                f"{name}: created {d['created']}, updated {d['updated']}, unchanged {d['unchanged']}, "
                f"rejected {summary.rejected_rows}, reconciliation exceptions {len(d['exceptions'])}"
            )
            for e in d["rejected"]:
                self.stdout.write(f"  row {e['row']}: {e['field']}: {e['message']}")
            for e in d["exceptions"]:
                self.stdout.write(f"  row {e['row']}: serial {e['serial']}: {e['message']}")
        if failed:
            raise CommandError("some files could not be read")
