"""The monthly return is built by a real Celery worker through Redis (as beat would queue it)."""

import datetime as dt

import openpyxl
import pytest

from core.dates import jalali_month_bounds
from declarations.models import Status
from reports.models import MonthlyReturn
from reports.tasks import build_monthly_return
from tests.factories import DeclarationFactory


@pytest.mark.redis
@pytest.mark.postgres
def test_a_real_worker_builds_the_return_through_redis(celery_worker_process, bazargan, tehran, west_az):
    start, _end = jalali_month_bounds(1404, 5)
    d = DeclarationFactory(
        origin=bazargan, destination=tehran, declared_at=start + dt.timedelta(days=2), status=Status.IN_TRANSIT
    )
    pk = build_monthly_return.delay(1404, 5, west_az.pk).get(timeout=180)
    snap = MonthlyReturn.objects.get(pk=pk)
    assert snap.figures["new"] == 1 and snap.unsettled_count == 1
    rows = list(openpyxl.load_workbook(snap.xlsx.open("rb"))["سریال‌های تسویه‌نشده"].values)
    assert rows[1][0] == d.serial
