"""Reads keep the declaration's evidence summary, so the dashboard signals see them."""

import datetime as dt

import pytest
from django.utils import timezone

from anpr import ingest, services, sightings
from declarations import monitoring
from declarations.models import TransitDeclaration
from declarations.services import declaration_confirm_arrival
from tests.factories import OfficeFactory

pytestmark = pytest.mark.django_db


def _sighting(camera, plate, hours_ago):
    at = timezone.now() - dt.timedelta(hours=hours_ago)
    (r,) = ingest.reads_ingest(camera=camera, items=[ingest.ReadInput(captured_at=at, plate_raw=plate)])
    sightings.reads_match(read_ids=[r.id])
    return at.replace(microsecond=at.microsecond)


def _in_signal(key, declaration):
    return monitoring.filter_signal(TransitDeclaration.objects.all(), key).filter(pk=declaration.pk).exists()


def test_it_sets_the_first_destination_read_and_raises_read_without_arrival(truck, declaration, thr_camera, settings):
    settings.SIGNAL_READ_WITHOUT_ARRIVAL_HOURS = 6
    later = _sighting(thr_camera, truck.plate, hours_ago=2)
    first = _sighting(thr_camera, truck.plate, hours_ago=8)
    declaration.refresh_from_db()
    assert declaration.dest_first_read_at == first
    assert declaration.last_read_at == later and declaration.last_read_office_id == thr_camera.office_id
    assert _in_signal("read_without_arrival", declaration)
    assert not _in_signal("off_route", declaration)


def test_it_does_not_count_an_origin_read_as_arrival(truck, declaration, bzg_camera):
    _sighting(bzg_camera, truck.plate, hours_ago=10)
    declaration.refresh_from_db()
    assert declaration.dest_first_read_at is None and declaration.last_read_at is not None
    assert declaration.off_route_read_at is None
    assert not _in_signal("read_without_arrival", declaration)


def test_it_flags_a_read_at_an_office_off_the_route(truck, declaration):
    qazvin = OfficeFactory(code="QZV")
    camera, _ = services.camera_register(office=qazvin, code="QZV-1", direction="in")
    at = _sighting(camera, truck.plate, hours_ago=3)
    declaration.refresh_from_db()
    assert declaration.off_route_read_at == at
    assert _in_signal("off_route", declaration)


def test_it_counts_an_intermediate_office_on_the_route_as_on_route(truck, declaration):
    qazvin = OfficeFactory(code="QZV")
    TransitDeclaration.objects.filter(pk=declaration.pk).update(route=["BZG", "QZV", "THR"])
    camera, _ = services.camera_register(office=qazvin, code="QZV-1", direction="in")
    _sighting(camera, truck.plate, hours_ago=3)
    declaration.refresh_from_db()
    assert declaration.off_route_read_at is None


def test_it_clears_arrival_without_read_once_the_destination_sees_the_truck(truck, declaration, thr_camera):
    declaration_confirm_arrival(declaration=declaration, by=None, at=timezone.now() - dt.timedelta(hours=1))
    assert _in_signal("arrival_without_read", declaration)
    _sighting(thr_camera, truck.plate, hours_ago=1.5)
    assert not _in_signal("arrival_without_read", declaration)


def test_it_shows_the_signals_on_the_dashboard(client, inspector, truck, declaration, thr_camera, settings):
    settings.SIGNAL_READ_WITHOUT_ARRIVAL_HOURS = 6
    _sighting(thr_camera, truck.plate, hours_ago=8)
    client.force_login(inspector)
    html = client.get("/").content.decode()
    assert 'data-signal="read_without_arrival"' in html
    counts = monitoring.signal_counts(TransitDeclaration.objects.for_user(inspector))
    assert counts["read_without_arrival"] == 1 and counts["off_route"] == 0


def test_it_moves_the_last_read_at_most_once_a_minute_per_office(truck, declaration, thr_camera, bzg_camera):
    first = _sighting(thr_camera, truck.plate, hours_ago=1)
    _sighting(thr_camera, truck.plate, hours_ago=1 - 20 / 3600)  # the truck still at the gate
    declaration.refresh_from_db()
    assert declaration.last_read_at == first
    later = _sighting(thr_camera, truck.plate, hours_ago=1 - 120 / 3600)
    declaration.refresh_from_db()
    assert declaration.last_read_at == later
    elsewhere = _sighting(bzg_camera, truck.plate, hours_ago=1 - 130 / 3600)  # another office: at once
    declaration.refresh_from_db()
    assert (declaration.last_read_at, declaration.last_read_office_id) == (elsewhere, bzg_camera.office_id)
