"""Camera health: silence counted only in working time raises the dashboard panel's alert."""

import datetime as dt

import pytest
from django.utils import timezone

from anpr import health, ingest, panels, tasks
from anpr.models import Camera
from core.dates import TEHRAN

pytestmark = pytest.mark.django_db

# A Saturday (working day in Iran) and the Friday before it.
SAT_10 = dt.datetime(2026, 11, 21, 10, 0, tzinfo=TEHRAN)
FRI_10 = dt.datetime(2026, 11, 20, 10, 0, tzinfo=TEHRAN)


@pytest.fixture(autouse=True)
def _hours(settings):
    settings.ANPR_WORK_START_HOUR, settings.ANPR_WORK_END_HOUR = 7, 19
    settings.ANPR_WORK_DAYS = [6, 7, 1, 2, 3, 4]
    settings.CAMERA_SILENT_HOURS = 2


def test_it_counts_only_working_hours():
    assert health.working_hours_between(SAT_10 - dt.timedelta(hours=2), SAT_10) == pytest.approx(2)
    # Friday is off, Saturday starts at 07:00: from Friday 10:00 to Saturday 10:00 is 3 working hours.
    assert health.working_hours_between(FRI_10, SAT_10) == pytest.approx(3)
    # Over a night: Saturday 18:00 to Sunday 08:00 is 2 hours.
    assert health.working_hours_between(SAT_10 + dt.timedelta(hours=8), SAT_10 + dt.timedelta(hours=22)) == 2
    assert health.working_hours_between(SAT_10, SAT_10 - dt.timedelta(hours=1)) == 0


def _camera_read_at(camera, at):
    Camera.objects.filter(pk=camera.pk).update(last_read_at=at)


def test_it_flags_a_camera_silent_in_working_time_and_clears_it_on_the_next_read(bzg_camera, rf, inspector, outsider):
    _camera_read_at(bzg_camera, SAT_10 - dt.timedelta(hours=3))
    assert health.cameras_check_health(now=SAT_10) == {"silent": 1, "ok": 0}
    bzg_camera.refresh_from_db()
    assert bzg_camera.health == Camera.Health.SILENT and bzg_camera.silent_since == SAT_10
    # A second run keeps the first time it went silent.
    health.cameras_check_health(now=SAT_10 + dt.timedelta(minutes=15))
    bzg_camera.refresh_from_db()
    assert bzg_camera.silent_since == SAT_10

    request = rf.get("/")
    request.user = inspector
    panel = panels.camera_health_panel(request, None)
    assert [c.code for c in panel.context["cameras_silent"]] == ["BZG-1"]
    request.user = outsider
    assert panels.camera_health_panel(request, None) is None

    # The camera posts again: no longer silent.
    now = timezone.now()
    ingest.reads_ingest(camera=bzg_camera, items=[ingest.ReadInput(captured_at=now, plate_raw="12ب34567")])
    bzg_camera.refresh_from_db()
    assert bzg_camera.health == Camera.Health.OK and bzg_camera.silent_since is None


def test_it_does_not_flag_silence_over_the_weekend(bzg_camera):
    # Last read Friday 06:00; Friday is off and Saturday opens at 07:00: at 06:30 no working time has passed.
    _camera_read_at(bzg_camera, FRI_10 - dt.timedelta(hours=4))
    assert health.cameras_check_health(now=FRI_10 + dt.timedelta(hours=20, minutes=30)) == {"silent": 0, "ok": 1}


def test_it_ignores_cameras_out_of_service(bzg_camera):
    _camera_read_at(bzg_camera, SAT_10 - dt.timedelta(days=3))
    Camera.objects.filter(pk=bzg_camera.pk).update(status=Camera.Status.MAINTENANCE, health=Camera.Health.SILENT)
    assert health.cameras_check_health(now=SAT_10) == {"silent": 0, "ok": 0}
    bzg_camera.refresh_from_db()
    assert bzg_camera.health == ""


def test_it_runs_the_scheduled_task(bzg_camera):
    _camera_read_at(bzg_camera, timezone.now() - dt.timedelta(days=30))
    result = tasks.check_camera_health.delay().get()
    assert result["silent"] + result["ok"] == 1
