"""The plate reader's part of the sweeper (``reports.tasks.sweep_stuck_jobs``): reads left awaiting
recognition by a dead worker (or a lost message) and training runs stuck past their time limit are
queued again, and failed with a reason after ``JOB_MAX_ATTEMPTS`` (core/taskruns.py). Reads whose
matching message was lost have their own sweep (``tasks.match_pending_reads``)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from core import jobs, taskruns

from .models import MatchState, PlateRead, Recognition, TrainingRun

BATCH = 500


def jobs_sweep(now: dt.datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    counts: dict[str, int] = {}
    for outcome in (*_recognitions(now), *_training_runs(now)):
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def _recognitions(now: dt.datetime):
    from . import tasks

    before = taskruns.queued_stale_before(now) - dt.timedelta(seconds=taskruns.hard_limit("recognition"))
    stuck = PlateRead.objects.filter(recognition=Recognition.PENDING, received_at__lt=before).order_by("id")[:BATCH]
    for read in stuck:
        as_found = PlateRead.objects.filter(pk=read.pk, recognition=Recognition.PENDING)

        def requeue(as_found=as_found, pk=read.pk) -> bool:
            if not as_found.exists():
                return False
            jobs.enqueue(tasks.recognise_read, pk)
            return True

        def fail(reason: str, as_found=as_found) -> bool:
            return bool(
                as_found.update(
                    recognition=Recognition.FAILED, recognition_error=reason[:300], match_state=MatchState.NO_PLATE
                )
            )

        yield taskruns.requeue_or_fail(
            read,
            kind="recognition",
            why=taskruns.stuck_since(Recognition.PENDING.label, read.received_at),
            again_after=before,
            requeue=requeue,
            fail=fail,
            office_id=read.office_id,
        )


def _training_runs(now: dt.datetime):
    from . import tasks

    queued_before = taskruns.queued_stale_before(now)
    running_before = taskruns.stale_before("training", now)
    stuck = TrainingRun.objects.filter(
        Q(state=TrainingRun.State.QUEUED, created_at__lt=queued_before)
        | Q(state=TrainingRun.State.RUNNING, started_at__lt=running_before)
    )
    for run in stuck:
        as_found = TrainingRun.objects.filter(pk=run.pk, state=run.state, started_at=run.started_at)

        def requeue(as_found=as_found, pk=run.pk) -> bool:
            if not as_found.update(state=TrainingRun.State.QUEUED, started_at=None):
                return False
            jobs.enqueue(tasks.train_model, pk)
            return True

        def fail(reason: str, as_found=as_found) -> bool:
            return bool(
                as_found.update(state=TrainingRun.State.FAILED, active=False, finished_at=now, outcome=reason[:500])
            )

        yield taskruns.requeue_or_fail(
            run,
            kind="training",
            why=taskruns.stuck_since(TrainingRun.State(run.state).label, run.started_at or run.created_at),
            again_after=running_before if run.state == TrainingRun.State.RUNNING else queued_before,
            requeue=requeue,
            fail=fail,
        )
