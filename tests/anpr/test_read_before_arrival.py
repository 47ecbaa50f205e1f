"""A read taken while the truck was on its way to the read's office, matched only after the trip arrived (a
camera's buffer sent late, or a person corrected the plate after the arrival), is the arrival of that trip:
the declaration goes by its status when the read was taken, in transit then. An old trip of the same truck to
another office, still in transit and never arrived, keeps the read too, off its route."""

import datetime as dt

import pytest
from django.utils import timezone

from anpr import review
from anpr.models import PlateMatch
from declarations.models import Status
from tests.anpr.test_plate_review import _holds, _read
from tests.factories import DeclarationFactory, VehicleFactory

pytestmark = pytest.mark.django_db
PLATE = "74ل33723"


@pytest.fixture
def trips(bazargan, tehran, sarakhs, thr_camera):
    """An old trip to Sarakhs (in transit for a month, overdue) and today's to Tehran: departed ten hours ago,
    arrived an hour ago with no plate read."""
    now = timezone.now()
    truck = VehicleFactory(plate=PLATE)
    old = DeclarationFactory(
        origin=bazargan,
        destination=sarakhs,
        vehicle=truck,
        status=Status.IN_TRANSIT,
        declared_at=now - dt.timedelta(days=40),
        departed_at=now - dt.timedelta(days=39),
    )
    today = DeclarationFactory(
        origin=bazargan,
        destination=tehran,
        vehicle=truck,
        status=Status.ARRIVED,
        declared_at=now - dt.timedelta(days=1),
        departed_at=now - dt.timedelta(hours=10),
        arrived_at=now - dt.timedelta(hours=1),
    )
    assert _holds(today, "arrival_without_read")
    return old, today


def _matched(read) -> dict[int, tuple[bool, bool]]:
    return {
        m.declaration_id: (m.at_destination, m.on_route)
        for m in PlateMatch.objects.filter(read=read, vehicle_plate=PLATE).exclude(review="rejected")
    }


def _seen_arriving(read, old, today):
    assert _matched(read) == {today.pk: (True, True), old.pk: (False, False)}
    today.refresh_from_db()
    assert today.dest_first_read_at == read.captured_at
    assert not _holds(today, "arrival_without_read")


def test_a_late_read_taken_before_the_arrival_is_the_arrival_of_that_trip(thr_camera, trips):
    old, today = trips
    gate = _read(thr_camera, PLATE, hours_ago=6)
    _seen_arriving(gate, old, today)


def test_a_read_corrected_after_the_arrival_is_the_arrival_of_the_trip_it_was_taken_on(thr_camera, dest_clerk, trips):
    old, today = trips
    gate = _read(thr_camera, "85د72491", hours_ago=6)
    assert not PlateMatch.objects.filter(read=gate).exists()
    review.read_label(read=gate, by=dest_clerk, plate=PLATE)
    _seen_arriving(gate, old, today)
