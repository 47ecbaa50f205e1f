"""Days for tests, relative to today. A fixed date (1404/05/12) stays valid only while it is inside the 24
months inspections and returns reach back (``reports.services.RETURN_MONTHS_BACK``): a test posting it passes
today and fails on its own once the window has moved past it."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from core.dates import format_jalali, jalali_month_of, previous_jalali_month


def months_back(n: int = 3) -> dt.date:
    """A Tehran day about ``n`` months before today: in the past, well inside the window."""
    return timezone.localdate() - dt.timedelta(days=30 * n)


def typed(day: dt.date, *, persian: bool = False) -> str:
    """The day as a person types it in a Jalali date box: «1405/06/07», or with Persian digits."""
    return format_jalali(day, persian=persian)


def months_back_month(n: int = 3) -> tuple[int, int]:
    """The Jalali (year, month) ``n`` months before the current one: ended, and inside the months a return is
    built for (a fixed 1404/05 is refused once it is more than 24 months back)."""
    year, month = jalali_month_of(timezone.now())
    for _ in range(n):
        year, month = previous_jalali_month(year, month)
    return year, month
