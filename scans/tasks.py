"""Celery tasks of scans: take ids, call one service (eager in-process when REDIS_URL is unset)."""

from celery import shared_task

from core.taskruns import Job, limits

from . import services


@shared_task(base=Job, acks_late=True, **limits("preview"))
def make_previews(scan_id: int) -> None:
    services.scan_make_previews(scan_id=scan_id)


@shared_task(base=Job, acks_late=True, **limits("comparison"))
def compare_scans(comparison_id: int) -> None:
    """The row is claimed by a conditional UPDATE, so a redelivered message does nothing twice."""
    services.comparison_run(comparison_id=comparison_id)


@shared_task(base=Job, acks_late=True, **limits("default"))
def notify_scan_reused(scan_id: int) -> None:
    """Once per pair of declarations (``notify``'s subject): a redelivered message tells nobody twice."""
    services.scan_reuse_notify(scan_id=scan_id)
