"""A truck read at another office before its departure (route BZG → THR, read at Astara before it left
Bazargan) became the declaration's «last plate read»: it is no evidence of this trip. A read at the origin
before the departure still counts (the truck at the gate it leaves by), and so does any read after it."""

import datetime as dt

import pytest
from django.utils import timezone

from anpr import services
from declarations.models import TransitDeclaration
from declarations.services import declaration_depart
from tests.anpr.test_read_before_departure import _sighting
from tests.factories import OfficeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def astara_camera():
    camera, _token = services.camera_register(office=OfficeFactory(code="AST"), code="AST-1", direction="in")
    return camera


def _last(declaration) -> tuple:
    d = TransitDeclaration.objects.get(pk=declaration.pk)
    return d.last_read_at, d.last_read_office_id


def test_reads_elsewhere_before_a_recorded_departure_are_not_the_last_read(declaration, astara_camera, bzg_camera):
    now = timezone.now()
    departed = now - dt.timedelta(hours=5)
    declaration_depart(declaration=declaration, by=None, at=departed)
    _sighting(astara_camera, declaration.vehicle.plate, departed - dt.timedelta(minutes=13))
    _sighting(astara_camera, declaration.vehicle.plate, departed - dt.timedelta(minutes=11))
    assert _last(declaration) == (None, None)
    at_origin = departed - dt.timedelta(minutes=20)
    _sighting(bzg_camera, declaration.vehicle.plate, at_origin)
    assert _last(declaration) == (at_origin, declaration.origin_id)
    later = departed + dt.timedelta(hours=1)
    _sighting(astara_camera, declaration.vehicle.plate, later)
    assert _last(declaration) == (later, astara_camera.office_id)


def test_a_departure_recorded_after_the_reads_drops_them_from_the_last_read(declaration, astara_camera, bzg_camera):
    now = timezone.now()
    at_origin = now - dt.timedelta(hours=6)
    elsewhere = now - dt.timedelta(hours=5, minutes=11)
    _sighting(bzg_camera, declaration.vehicle.plate, at_origin)
    _sighting(astara_camera, declaration.vehicle.plate, elsewhere)
    assert _last(declaration) == (elsewhere, astara_camera.office_id)  # registered: its trip counts from then
    declaration_depart(declaration=declaration, by=None, at=now - dt.timedelta(hours=5))
    assert _last(declaration) == (at_origin, declaration.origin_id)
