"""Cameras at the personas' offices, and a client that posts as a camera."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from anpr import services
from declarations.models import Vehicle


@pytest.fixture
def bzg_camera(bazargan):
    camera, token = services.camera_register(office=bazargan, code="BZG-1", direction="out", lane="1")
    camera.token = token
    return camera


@pytest.fixture
def thr_camera(tehran):
    camera, token = services.camera_register(office=tehran, code="THR-1", direction="in", lane="2")
    camera.token = token
    return camera


@pytest.fixture
def srk_camera(sarakhs):
    camera, token = services.camera_register(office=sarakhs, code="SRK-1", direction="in")
    camera.token = token
    return camera


def camera_client(camera) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Camera {camera.token}")
    return client


@pytest.fixture
def recent():
    """A capture time a little in the past, to the second (cameras send whole seconds or ms)."""
    return (timezone.now() - dt.timedelta(minutes=10)).replace(microsecond=0)


@pytest.fixture
def truck(declaration):
    """The declaration's truck on the road: departed from Bazargan, heading to Tehran."""
    from declarations.services import declaration_depart

    declaration_depart(declaration=declaration, by=None, at=timezone.now() - dt.timedelta(hours=20))
    declaration.refresh_from_db()
    return Vehicle.objects.get(pk=declaration.vehicle_id)
