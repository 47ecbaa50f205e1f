"""Train a new plate-reader model from rendered plates and the crops people reviewed; put it in use
only when it reads the held-out reviewed crops better than the model in use (``anpr.retraining``).

    python manage.py anpr_train --steps 600 --synth 6000
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from anpr import retraining
from anpr.models import TrainingRun
from core.errors import DomainError


class Command(BaseCommand):
    help = "Train the plate reader from reviewed crops; promote the new model only when it is better."

    def add_arguments(self, parser):
        d = retraining.DEFAULTS
        parser.add_argument("--steps", type=int, default=d["steps"], help="optimiser steps (batches)")
        parser.add_argument("--batch", type=int, default=d["batch"])
        parser.add_argument("--lr", type=float, default=d["lr"])
        parser.add_argument("--synth", type=int, default=d["synth"], help="rendered plates to train on")
        parser.add_argument("--holdout", type=float, default=d["holdout"], help="share of reviewed plates held out")
        parser.add_argument("--split-seed", type=int, default=d["split_seed"])
        parser.add_argument("--seed", type=int, default=d["seed"])
        parser.add_argument(
            "--min-heldout", type=int, default=d["min_heldout"], help="held-out crops needed to promote at all"
        )

    def handle(self, *args, **o):
        options = {k: o[k] for k in retraining.DEFAULTS}
        try:
            run = retraining.training_start(by=None, options=options, enqueue=False)
        except DomainError as exc:
            if missing := retraining.trainer_missing():  # at a shell, the operator installs it: what and how
                raise CommandError(
                    f"{exc} ({', '.join(missing)} missing: pip install -r requirements-train.txt,"
                    " see anpr/training/README.md)"
                ) from exc
            raise CommandError(str(exc)) from exc
        run = retraining.training_run(run_id=run.pk, echo=self.stdout.write)
        assert run is not None
        if run.state == TrainingRun.State.FAILED:
            raise CommandError(f"training failed: {run.outcome}")
        model = run.candidate
        assert model is not None
        self.stdout.write(
            json.dumps(
                {
                    "run": run.pk,
                    "version": model.version,
                    "promoted": run.promoted,
                    "why": run.outcome,
                    "heldout": model.metrics.get("heldout"),
                    "trainer": model.manifest.get("trainer"),
                },
                ensure_ascii=False,
            )
        )
