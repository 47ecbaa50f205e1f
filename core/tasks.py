"""Periodic jobs of the ground floor; they only call ``core`` functions."""

from __future__ import annotations

from celery import shared_task

from core import exports, jobs, partitions
from core.taskruns import Job, limits


@shared_task
def outbox_sweep() -> dict[str, int]:
    """Publish the follow-up jobs stored while the broker was down (beat, every 30 s)."""
    return jobs.outbox_sweep()


@shared_task(name="core.tasks.partitions_daily")
def partitions_daily() -> dict:
    """Make the coming months' partitions, then archive the months past retention (PostgreSQL only)."""
    created = partitions.ensure_all()
    outcomes = partitions.archive_due()
    return {
        "created": {t: names for t, names in created.items() if names},
        "archived": [o.name for o in outcomes if o.archived],
        "kept": {o.name: o.reason for o in outcomes if not o.archived},
    }


@shared_task(name="core.tasks.build_export", base=Job, bind=True, acks_late=True, **limits("export"))
def build_export(self, job_id: int) -> str:
    """Build an export job's file (``core.exports``): a list or a report too big for a request. A
    transient error queues the job again for the retry (``Job``); once the retries are spent it fails."""
    return exports.build(job_id, last_try=self.request.retries >= self.max_retries)


@shared_task(name="core.tasks.exports_expire_daily", base=Job, acks_late=True, **limits("default"))
def exports_expire_daily() -> int:
    """Beat, every night: remove the export files past EXPORT_KEEP_DAYS (their jobs are kept)."""
    return exports.expire()
