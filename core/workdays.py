"""The Iranian working-day calendar: Fridays and official holidays (``core.models.Holiday``) are off.

Statutory clocks counted in working days (روز کاری), such as the smuggling regulation's "within
five working days" (Art. 7), are computed here and nowhere else. Each call reads the holidays of
the span it needs (one indexed query); the table is small and edited by headquarters, so no cache
can serve a stale day.
"""

from __future__ import annotations

import datetime as dt

FRIDAY = 4  # date.weekday()


def holidays_between(start: dt.date, end: dt.date) -> set[dt.date]:
    """The official holidays in ``[start, end]`` (one query)."""
    from core.models import Holiday

    return set(Holiday.objects.filter(date__gte=start, date__lte=end).values_list("date", flat=True))


def is_working_day(day: dt.date, holidays: set[dt.date] | None = None) -> bool:
    if day.weekday() == FRIDAY:
        return False
    if holidays is None:
        holidays = holidays_between(day, day)
    return day not in holidays


def add_working_days(day: dt.date, n: int) -> dt.date:
    """The ``n``-th working day after ``day`` (``day`` itself never counts); ``n == 0`` is ``day``.

    "Within five working days" of a Tuesday before a Friday and a holiday Saturday: Wednesday (1),
    Thursday (2), Sunday (3), Monday (4), Tuesday (5)."""
    if n < 0:
        raise ValueError("n must be 0 or more")
    if n == 0:
        return day
    # Every week has six working days at most; leave room for a month of holidays (Nowruz, Muharram).
    span = dt.timedelta(days=n * 2 + 40)
    holidays = holidays_between(day, day + span)
    current, left = day, n
    while left:
        current += dt.timedelta(days=1)
        if current > day + span:  # a run of holidays beyond the margin: read the next stretch
            holidays |= holidays_between(current, current + span)
            span += span
        if is_working_day(current, holidays):
            left -= 1
    return current


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days in ``(start, end]``: how many working days of a clock have passed by ``end``."""
    if end <= start:
        return 0
    holidays = holidays_between(start, end)
    return sum(1 for i in range(1, (end - start).days + 1) if is_working_day(start + dt.timedelta(days=i), holidays))
