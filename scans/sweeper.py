"""The scans' part of the sweeper (``reports.tasks.sweep_stuck_jobs``): comparisons and previews that a
dead worker (or a lost message) left queued, running or pending are queued again, and failed with a
reason after ``JOB_MAX_ATTEMPTS`` (core/taskruns.py)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from core import jobs, taskruns

from .models import Scan, ScanComparison

BATCH = 500  # rows looked at per kind per sweep: a backlog is swept over several runs


def jobs_sweep(now: dt.datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    counts: dict[str, int] = {}
    for outcome in (*_comparisons(now), *_previews(now)):
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def _comparisons(now: dt.datetime):
    from . import tasks

    queued_before = taskruns.queued_stale_before(now)
    running_before = taskruns.stale_before("comparison", now)
    stuck = ScanComparison.objects.filter(
        Q(status=ScanComparison.Status.QUEUED, created_at__lt=queued_before)
        | Q(status=ScanComparison.Status.RUNNING, started_at__lt=running_before)
    ).select_related("declaration")[:BATCH]
    for comparison in stuck:
        # The row as found: if it moved meanwhile (finished, claimed again), nothing is changed.
        as_found = ScanComparison.objects.filter(
            pk=comparison.pk, status=comparison.status, started_at=comparison.started_at
        )

        def requeue(as_found=as_found, pk=comparison.pk) -> bool:
            if not as_found.update(status=ScanComparison.Status.QUEUED, started_at=None):
                return False
            jobs.enqueue(tasks.compare_scans, pk)
            return True

        def fail(reason: str, as_found=as_found) -> bool:
            return bool(as_found.update(status=ScanComparison.Status.FAILED, error=reason[:500], finished_at=now))

        yield taskruns.requeue_or_fail(
            comparison,
            kind="comparison",
            why=taskruns.stuck_since(
                ScanComparison.Status(comparison.status).label, comparison.started_at or comparison.created_at
            ),
            again_after=running_before if comparison.status == ScanComparison.Status.RUNNING else queued_before,
            requeue=requeue,
            fail=fail,
            office_id=comparison.declaration.destination_id,
            declaration_id=comparison.declaration_id,
        )


def _previews(now: dt.datetime):
    from . import tasks

    # Previews have no running state: pending past the wait of a queued job and the preview's limit.
    before = taskruns.queued_stale_before(now) - dt.timedelta(seconds=taskruns.hard_limit("preview"))
    for scan in Scan.objects.filter(preview_status=Scan.PreviewStatus.PENDING, uploaded_at__lt=before)[:BATCH]:
        as_found = Scan.objects.filter(pk=scan.pk, preview_status=Scan.PreviewStatus.PENDING)

        def requeue(as_found=as_found, pk=scan.pk) -> bool:
            if not as_found.exists():
                return False
            jobs.enqueue(tasks.make_previews, pk)
            return True

        def fail(reason: str, as_found=as_found) -> bool:
            return bool(as_found.update(preview_status=Scan.PreviewStatus.FAILED, preview_error=reason[:300]))

        yield taskruns.requeue_or_fail(
            scan,
            kind="preview",
            why=taskruns.stuck_since(Scan.PreviewStatus.PENDING.label, scan.uploaded_at),
            again_after=before,
            requeue=requeue,
            fail=fail,
            office_id=scan.office_id,
            declaration_id=scan.declaration_id,
        )
