"""The monthly return for Prometheus (``core/metrics.py``): is last month's national return built?"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone
from prometheus_client.core import Metric

from core import dates
from core.metrics import gauge

from .models import MonthlyReturn


def monthly_return_lag() -> Iterable[Metric]:
    """Jalali months between the last month that ended and the latest national return built for a
    whole month (a provisional one does not count): 0 when up to date; -1 when none was ever built.
    Beat builds it just after midnight on the 1st (``reports.tasks``)."""
    due = dates.previous_jalali_month(*dates.jalali_month_of(timezone.now()))
    latest = (
        MonthlyReturn.objects.filter(province__isnull=True, provisional=False)
        .order_by("-year", "-month")
        .values_list("year", "month")
        .first()
    )
    behind = -1 if latest is None else (due[0] * 12 + due[1]) - (latest[0] * 12 + latest[1])
    family = gauge(
        "transit_monthly_return_months_behind",
        "Jalali months the national monthly return is behind the last ended month (-1: never built).",
    )
    family.add_metric([], behind)
    return [family]
