"""The imports' part of the sweeper (``reports.tasks.sweep_stuck_jobs``): a batch left queued or
running by a dead worker (or a lost message) is queued again, and failed with a reason (the importer
is told) after ``JOB_MAX_ATTEMPTS`` (core/taskruns.py)."""

from __future__ import annotations

import datetime as dt
from functools import partial

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core import jobs, taskruns

from .import_jobs import _tell_the_importer
from .models import ImportBatch, ImportState


def jobs_sweep(now: dt.datetime | None = None) -> dict[str, int]:
    from . import tasks

    now = now or timezone.now()
    queued_before = taskruns.queued_stale_before(now)
    running_before = taskruns.stale_before("import", now)
    counts: dict[str, int] = {}
    stuck = ImportBatch.objects.filter(
        Q(state=ImportState.QUEUED, at__lt=queued_before) | Q(state=ImportState.RUNNING, started_at__lt=running_before)
    ).select_related("by")
    for batch in stuck:
        as_found = ImportBatch.objects.filter(pk=batch.pk, state=batch.state, started_at=batch.started_at)

        def requeue(as_found=as_found, pk=batch.pk) -> bool:
            if not as_found.update(state=ImportState.QUEUED, started_at=None):
                return False
            jobs.enqueue(tasks.run_import, pk)
            return True

        def fail(reason: str, as_found=as_found, batch=batch) -> bool:
            if not as_found.update(state=ImportState.FAILED, error=reason, finished_at=now, payload=""):
                return False
            batch.refresh_from_db()
            transaction.on_commit(partial(_tell_the_importer, batch))
            return True

        outcome = taskruns.requeue_or_fail(
            batch,
            kind="import",
            why=taskruns.stuck_since(ImportState(batch.state).label, batch.started_at or batch.at),
            again_after=running_before if batch.state == ImportState.RUNNING else queued_before,
            requeue=requeue,
            fail=fail,
            office_id=batch.by.office_id if batch.by else None,
        )
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts
