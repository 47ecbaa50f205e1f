"""python manage.py import_ics FILE [FILE ...] — import ICS exports (CSV, XLSX, JSON) and print the summary."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from declarations.importer import ImportFileError, import_file


class Command(BaseCommand):
    help = "Import transit declarations from ICS export files; idempotent on serial."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+")
        parser.add_argument("--json", action="store_true", help="print the summary as JSON")

    def handle(self, *args, files, **opts):
        failed = False
        for name in files:
            path = Path(name)
            if not path.is_file():
                raise CommandError(f"{name}: no such file")
            try:
                summary = import_file(path.read_bytes(), path.name)
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
                f"rejected {len(d['rejected'])}, reconciliation exceptions {len(d['exceptions'])}"
            )
            for e in d["rejected"]:
                self.stdout.write(f"  row {e['row']}: {e['field']}: {e['message']}")
            for e in d["exceptions"]:
                self.stdout.write(f"  row {e['row']}: serial {e['serial']}: {e['message']}")
        if failed:
            raise CommandError("some files could not be read")
