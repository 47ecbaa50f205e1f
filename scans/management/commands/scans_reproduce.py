"""python manage.py scans_reproduce <comparison id> [--json]  -> recompute a stored comparison"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from scans.models import ScanComparison
from scans.reproduce import CannotReproduce, reproduce


class Command(BaseCommand):
    help = (
        "Recompute a scan comparison from its stored images with its recorded algorithm version, "
        "parameters and threshold, and say whether verdict, score and regions match. Writes nothing; "
        "exits with an error when they differ or the comparison cannot be recomputed."
    )

    def add_arguments(self, parser):
        parser.add_argument("comparison", type=int, help="the comparison's id")
        parser.add_argument("--json", action="store_true", help="print the outcome as one JSON object")

    def handle(self, *args, **opts):
        import cv2

        cv2.setNumThreads(1)
        comparison = (
            ScanComparison.objects.select_related("origin_scan", "dest_scan").filter(pk=opts["comparison"]).first()
        )
        if comparison is None:
            raise CommandError(f"no comparison {opts['comparison']}")
        try:
            outcome = reproduce(comparison)
        except CannotReproduce as exc:
            raise CommandError(f"comparison {comparison.pk} cannot be reproduced: {exc}") from exc
        if opts["json"]:
            self.stdout.write(json.dumps(outcome.as_dict()))
        else:
            s, r = outcome.stored, outcome.recomputed
            self.stdout.write(
                f"comparison {comparison.pk} (algorithm {comparison.algorithm_version or 'not recorded'}, "
                f"threshold {comparison.threshold}): stored {s['verdict']} score {s['score']}, "
                f"recomputed {r['verdict']} score {r['score']}"
            )
            for note in outcome.notes:
                self.stdout.write(f"note: {note}")
            for diff in outcome.differences:
                self.stdout.write(f"differs: {diff}")
        if not outcome.matches:
            raise CommandError(f"comparison {comparison.pk} does NOT match its recomputation")
        if not opts["json"]:
            self.stdout.write(self.style.SUCCESS(f"comparison {comparison.pk} matches its recomputation"))
