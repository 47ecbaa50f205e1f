"""The demo's TIR park camera (TBZ-TIR-1) had no lane, was never health-checked (its health «not checked» beside
the other cameras' «reading») and its reads, like the other foreign-truck sightings, had no confidence. It now has
what the other demo cameras have: lane 1, a fresh read and the health check, reads with a confidence."""

import datetime as dt

import numpy as np
import pytest
from django.utils import timezone

from anpr import services
from anpr.demo import foreign_trucks_demo
from anpr.models import Camera, PlateRead
from declarations.demo import FOREIGN_SERIAL
from declarations.models import Status
from tests.factories import DeclarationFactory, OfficeFactory, VehicleFactory

pytestmark = pytest.mark.django_db


def test_the_tir_park_camera_has_a_lane_a_health_check_and_reads_with_a_confidence(bazargan, tehran):
    tabriz = OfficeFactory(code="TBZ", province=bazargan.province)
    services.camera_register(office=tabriz, code="TBZ-IN-1", direction="in", lane="1")
    now = timezone.now()
    DeclarationFactory(
        serial=f"{FOREIGN_SERIAL}TIRPARK",
        origin=bazargan,
        destination=tehran,
        route=["BZG", "TBZ", "THR"],
        vehicle=VehicleFactory(plate="TR90061", country="TR"),
        vehicle_country="TR",
        status=Status.IN_TRANSIT,
        declared_at=now - dt.timedelta(hours=33),
        departed_at=now - dt.timedelta(hours=30),
    )
    foreign_trucks_demo(rng=np.random.default_rng(1404), now=now)

    park = Camera.objects.get(code="TBZ-TIR-1")
    assert park.lane == "1" and park.tir_park is not None
    assert park.health_checked_at == now and park.health == Camera.Health.OK
    sightings = PlateRead.objects.filter(client_event_id__startswith="demo-ft-")
    assert sightings.filter(camera=park).count() == 2 and sightings.exclude(camera=park).exists()
    assert not PlateRead.objects.filter(confidence__isnull=True).exists()
