"""python manage.py scans_bench --pairs OUT [--threshold T]  -> one JSON line"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from scans.benchmark.bench import run_bench


class Command(BaseCommand):
    help = "Run the scan comparison on a pairs folder and print the figures as one JSON line."

    def add_arguments(self, parser):
        parser.add_argument("--pairs", required=True)
        parser.add_argument("--threshold", type=float, default=None)
        parser.add_argument("--limit", type=int, default=0)

    def handle(self, *args, **opts):
        import cv2

        cv2.setNumThreads(1)
        res = run_bench(opts["pairs"], threshold=opts["threshold"], limit=opts["limit"])
        self.stdout.write(json.dumps(res))
