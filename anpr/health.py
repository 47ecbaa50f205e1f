"""Camera health: a camera silent for ``CAMERA_SILENT_HOURS`` of working time raises the dashboard alert."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from core.dates import TEHRAN
from notifications.messages import Ident, Message
from notifications.services import Kind, it_office, notify, office_staff

from .models import Camera


def working_hours_between(start: dt.datetime, end: dt.datetime) -> float:
    """Hours of working time (Tehran, ``ANPR_WORK_*`` settings) in [start, end)."""
    if end <= start:
        return 0.0
    start_t, end_t = start.astimezone(TEHRAN), end.astimezone(TEHRAN)
    if (end_t - start_t).days > 60:
        return float("inf")
    total = 0.0
    day = start_t.date()
    while day <= end_t.date():
        if day.isoweekday() in settings.ANPR_WORK_DAYS:
            open_at = dt.datetime.combine(day, dt.time(settings.ANPR_WORK_START_HOUR), tzinfo=TEHRAN)
            close_at = (
                dt.datetime.combine(day, dt.time(settings.ANPR_WORK_END_HOUR), tzinfo=TEHRAN)
                if settings.ANPR_WORK_END_HOUR < 24
                else dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=TEHRAN)
            )
            overlap = min(close_at, end_t) - max(open_at, start_t)
            total += max(overlap.total_seconds(), 0) / 3600
        day += dt.timedelta(days=1)
    return total


def cameras_check_health(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Mark active cameras silent after ``CAMERA_SILENT_HOURS`` of working time without a read.

    Conditional UPDATEs: two runs at once flag a camera once and keep its first ``silent_since``.
    """
    now = now or timezone.now()
    limit = settings.CAMERA_SILENT_HOURS
    counts = {"silent": 0, "ok": 0}
    cameras = Camera.objects.filter(status=Camera.Status.ACTIVE).only(
        "pk", "code", "office_id", "last_read_at", "created_at"
    )
    for camera in cameras:
        since = camera.last_read_at or camera.created_at
        silent = working_hours_between(since, now) >= limit
        qs = Camera.objects.filter(pk=camera.pk)
        if silent:
            if qs.exclude(health=Camera.Health.SILENT).update(health=Camera.Health.SILENT, silent_since=now):
                # Only the run that flagged it tells IT and the office (once per silence).
                notify(
                    Kind.CAMERA_SILENT,
                    list(it_office()) + list(office_staff(camera.office_id)),
                    title=Message("%(camera)s", camera=Ident("camera", camera.code)),
                    url=reverse("anpr:camera", args=[camera.pk]),
                    subject=f"camera:{camera.pk}:{now:%Y%m%d%H%M}",
                )
        else:
            qs.exclude(health=Camera.Health.OK).update(health=Camera.Health.OK, silent_since=None)
        qs.update(health_checked_at=now)
        counts["silent" if silent else "ok"] += 1
    # Cameras out of service are not expected to read.
    Camera.objects.exclude(status=Camera.Status.ACTIVE).exclude(health="").update(health="", silent_since=None)
    return counts
