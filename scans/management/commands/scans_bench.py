"""python manage.py scans_bench --pairs OUT [--threshold T] [--records FILE] [--set NAME=VALUE]  -> one JSON line"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from scans.benchmark.bench import evaluate, summarise
from scans.comparison import Params


class Command(BaseCommand):
    help = "Run the scan comparison on a pairs folder and print the figures as one JSON line."

    def add_arguments(self, parser):
        parser.add_argument("--pairs", required=True)
        parser.add_argument("--threshold", type=float, default=None)
        parser.add_argument("--limit", type=int, default=0)
        parser.add_argument("--records", default=None, help="also write the per-pair records (JSON) here")
        parser.add_argument(
            "--set",
            action="append",
            default=[],
            metavar="NAME=VALUE",
            help="run with a field of scans.comparison.Params changed (e.g. WALL_AFFINE=true)",
        )

    def handle(self, *args, **opts):
        import cv2

        cv2.setNumThreads(1)
        params = Params()
        for text in opts["set"]:
            name, _, value = text.partition("=")
            if name not in {f.name for f in dataclasses.fields(Params)}:
                raise CommandError(f"{text!r}: {name} is not a field of scans.comparison.Params")
            kind = type(getattr(params, name))
            if kind is tuple:  # comma-separated numbers (VETO_WEIGHTS)
                params = dataclasses.replace(params, **{name: tuple(float(v) for v in value.split(",") if v.strip())})
            else:
                params = dataclasses.replace(params, **{name: value.lower() == "true" if kind is bool else kind(value)})
        records = evaluate(opts["pairs"], threshold=opts["threshold"], limit=opts["limit"], params=params)
        if opts["records"]:
            Path(opts["records"]).write_text(json.dumps(records))
        res = summarise(records)
        self.stdout.write(json.dumps(res))
