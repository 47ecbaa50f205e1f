"""python manage.py anpr_bench --data DIR [--engine NAME] → one JSON line of accuracy and timing."""

import json

from django.core.management.base import BaseCommand

from anpr.recognition.bench import run_bench


class Command(BaseCommand):
    help = "Benchmark a plate-reading engine on a folder with labels.csv (file,plate,kind)."

    def add_arguments(self, parser):
        parser.add_argument("--data", required=True, help="folder holding labels.csv, crops/, vehicles/")
        parser.add_argument("--engine", default=None, help="plate_crnn (default), easyocr, tesseract")
        parser.add_argument("--files", default=None, help="JSON file with a 'files' list to restrict to")

    def handle(self, *args, **opts):
        files = None
        if opts["files"]:
            with open(opts["files"], encoding="utf-8") as f:
                files = set(json.load(f)["files"])
        result = run_bench(opts["data"], opts["engine"], files)
        self.stdout.write(json.dumps(result, ensure_ascii=False))
