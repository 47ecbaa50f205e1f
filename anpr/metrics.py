"""Camera health for Prometheus (``core/metrics.py``): active cameras flagged silent right now."""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client.core import Metric

from core.metrics import gauge

from .models import Camera


def cameras_silent() -> Iterable[Metric]:
    """One indexed COUNT: the flag is set by the camera-health job (``health.cameras_check_health``)."""
    silent = Camera.objects.filter(status=Camera.Status.ACTIVE, health=Camera.Health.SILENT).count()
    family = gauge("transit_cameras_silent", "Active cameras silent for CAMERA_SILENT_HOURS of working time.")
    family.add_metric([], silent)
    return [family]
