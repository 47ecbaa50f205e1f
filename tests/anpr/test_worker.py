"""With Redis and a real Celery worker: reads posted one per request are queued, matched and none lost."""

import datetime as dt

import pytest
from django.utils import timezone

from anpr import services
from anpr.models import MatchState, PlateMatch, PlateRead
from declarations.models import Status
from tests.anpr.conftest import camera_client
from tests.factories import DeclarationFactory, VehicleFactory

pytestmark = [pytest.mark.redis, pytest.mark.postgres]


def test_it_drains_queued_reads_with_a_real_worker(celery_worker_process, bazargan, tehran, settings):
    import time

    settings.ANPR_MATCH_IN_REQUEST_MAX = 0  # every read to the worker, as a replayed backlog goes

    vehicle = VehicleFactory(plate="26ب36913")
    decl = DeclarationFactory(origin=bazargan, destination=tehran, vehicle=vehicle, status=Status.IN_TRANSIT)
    camera, token = services.camera_register(office=tehran, code="THR-9", direction="in")
    camera.token = token
    client = camera_client(camera)
    base = timezone.now() - dt.timedelta(minutes=30)
    for i in range(60):
        plate = vehicle.plate if i % 3 == 0 else f"{10 + i}ل{100 + i}{20 + i % 70}"
        resp = client.post(
            "/api/anpr/reads/",
            {"captured_at": (base + dt.timedelta(seconds=i)).isoformat(), "plate": plate},
            format="json",
        )
        assert resp.status_code == 201, resp.content
    deadline = time.monotonic() + 60
    while PlateRead.objects.filter(match_state=MatchState.PENDING).exists() and time.monotonic() < deadline:
        time.sleep(0.5)
    assert PlateRead.objects.count() == 60
    assert not PlateRead.objects.filter(match_state=MatchState.PENDING).exists()
    assert PlateMatch.objects.filter(declaration=decl).count() == 20
    decl.refresh_from_db()
    assert decl.dest_first_read_at == base
