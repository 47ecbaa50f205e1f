"""Celery tasks of reports: each takes ids and calls one service."""

import uuid

from celery import shared_task

from core import jobs
from core.taskruns import Job, limits

from . import services, sweeper


@shared_task(bind=True, base=Job, acks_late=True, **limits("return"))
def build_monthly_return(
    self, year: int, month: int, province_id: int | None = None, user_id: int | None = None, provisional: bool = False
) -> int | None:
    """Build one version of a month's return (figures, XLSX, CSV, PDF) once per message (its task id
    names the request: a redelivery does not build a second version); returns its id."""
    return services.return_build_requested(
        key=self.request.id or uuid.uuid4().hex,
        year=year,
        month=month,
        province_id=province_id,
        user_id=user_id,
        provisional=provisional,
    )


@shared_task(base=Job, acks_late=True, **limits("default"))
def build_monthly_returns_if_month_start() -> list[int | None]:
    """Beat, daily after midnight: on the 1st of a Jalali month, queue last month's returns.

    One task per province and one national; provinces already built since the month
    ended are skipped, so a repeated run builds nothing twice.
    """
    due = services.returns_due_at()
    if due is None:
        return []
    year, month = due
    todo = services.returns_to_build(year, month)
    for province_id in todo:
        jobs.enqueue(build_monthly_return, year, month, province_id)
    return todo


@shared_task(base=Job, acks_late=True, **limits("default"))
def sweep_stuck_jobs() -> dict:
    """Beat, every 5 minutes: queue again the jobs a dead worker left behind (reports.sweeper)."""
    return sweeper.sweep_all()


@shared_task(base=Job, acks_late=True, **limits("default"))
def inspection_actions_overdue_check() -> int:
    """Beat, every morning: tell the responsible offices of the inspection follow-up actions past their due
    date, each once (reports.services)."""
    return services.inspection_actions_overdue_run()
