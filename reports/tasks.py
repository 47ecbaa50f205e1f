"""Celery tasks of reports: each takes ids and calls one service."""

from celery import shared_task

from accounts.models import Province, User
from core import jobs

from . import services


@shared_task(acks_late=True)
def build_monthly_return(
    year: int, month: int, province_id: int | None = None, user_id: int | None = None, provisional: bool = False
) -> int:
    """Build one version of a month's return (figures, XLSX, CSV, PDF); returns its id."""
    province = Province.objects.get(pk=province_id) if province_id else None
    by = User.objects.get(pk=user_id) if user_id else None
    return services.return_build(year=year, month=month, province=province, by=by, provisional=provisional).pk


@shared_task(acks_late=True)
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
