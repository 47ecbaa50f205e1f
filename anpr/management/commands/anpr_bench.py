"""python manage.py anpr_bench --data DIR [--engine NAME] [--foreign N] → JSON lines of accuracy and timing.

Line 1: the labelled folder (``by_kind``, ``by_type``: the plate type each image was given). With
``--foreign N``, line 2: ``foreign`` (N rendered foreign plates: type, read with country, never Iranian
text; per country) and ``by_type`` (N/4 rendered plates of each other Iranian layout).
"""

import json

from django.core.management.base import BaseCommand

from anpr.recognition.bench import run_bench, run_foreign, run_types


class Command(BaseCommand):
    help = "Benchmark a plate-reading engine on a folder with labels.csv (file,plate,kind)."

    def add_arguments(self, parser):
        parser.add_argument("--data", required=True, help="folder holding labels.csv, crops/, vehicles/")
        parser.add_argument("--engine", default=None, help="plate_crnn (default), easyocr, tesseract")
        parser.add_argument("--files", default=None, help="JSON file with a 'files' list to restrict to")
        parser.add_argument(
            "--weights",
            default=None,
            help="plate_crnn ONNX file(s) instead of the shipped one (comma-separated: an ensemble)",
        )
        parser.add_argument("--foreign", type=int, default=0, help="also N rendered foreign plates (line 2)")
        parser.add_argument(
            "--labels-as-given",
            action="store_true",
            help="read labels.csv as given (by default the dev-set errata in anpr/recognition/label_errata.csv apply)",
        )

    def handle(self, *args, **opts):
        files = None
        if opts["files"]:
            with open(opts["files"], encoding="utf-8") as f:
                files = set(json.load(f)["files"])
        result = run_bench(
            opts["data"], opts["engine"], files, weights=opts["weights"], errata=not opts["labels_as_given"]
        )
        self.stdout.write(json.dumps(result, ensure_ascii=False))
        if opts["foreign"]:
            line = {
                "foreign": run_foreign(opts["foreign"], opts["engine"], weights=opts["weights"]),
                "by_type": run_types(opts["foreign"] // 4, opts["engine"], weights=opts["weights"]),
            }
            self.stdout.write(json.dumps(line, ensure_ascii=False))
