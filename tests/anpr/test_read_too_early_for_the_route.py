"""A read at the destination sooner after the departure than any truck drives the route (the rule the arrival
confirmation is held to, ``shortest_trip``) is kept and shown, marked «زودتر از کمترین زمان سفر», but is no
evidence of arrival: it does not say «در ورودی … دیده شد» and does not clear «arrival without plate read».
The departure time is wrong, or the truck never left from the origin."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from anpr.models import PlateMatch
from declarations.models import RoadDistance, Status
from tests.anpr.test_plate_review import _holds, _read
from tests.factories import DeclarationFactory, VehicleFactory

pytestmark = pytest.mark.django_db
PLATE = "33ج44455"


@pytest.fixture
def arrived(bazargan, tehran, thr_camera):
    """Bazargan → Tehran, 880 km: 11 hours at the fastest average. Departed 12 hours ago, arrival confirmed
    half an hour ago, no plate read yet."""
    RoadDistance.objects.create(office_a=bazargan, office_b=tehran, km=880)
    now = timezone.now()
    d = DeclarationFactory(
        origin=bazargan,
        destination=tehran,
        vehicle=VehicleFactory(plate=PLATE),
        status=Status.ARRIVED,
        declared_at=now - dt.timedelta(days=1),
        departed_at=now - dt.timedelta(hours=12),
        arrived_at=now - dt.timedelta(minutes=30),
    )
    assert _holds(d, "arrival_without_read")
    return d


@pytest.mark.persian
def test_a_read_too_early_for_the_route_is_shown_marked_and_is_no_arrival(client, dest_clerk, thr_camera, arrived):
    read = _read(thr_camera, PLATE, hours_ago=5)  # seven hours after the departure
    match = PlateMatch.objects.get(read=read, declaration=arrived)
    assert match.exact and match.at_destination and match.too_early
    arrived.refresh_from_db()
    assert arrived.dest_first_read_at is None and arrived.last_read_at == read.captured_at
    assert _holds(arrived, "arrival_without_read")

    client.force_login(dest_clerk)
    html = client.get(reverse("declarations:detail", args=[arrived.pk])).content.decode()
    gate = html.split('id="gate-reads"', 1)[1].split("</section>", 1)[0]
    assert 'data-seen="no"' in html
    assert "دیده شد" not in gate
    assert "زودتر از کمترین زمان سفر" in gate
    timeline = html.split('data-kind="plate_read"', 1)[1].split("</li>", 1)[0]
    assert "زودتر از کمترین زمان سفر" in timeline


def test_a_read_after_the_shortest_trip_is_the_arrival(client, dest_clerk, thr_camera, arrived):
    read = _read(thr_camera, PLATE, hours_ago=0.75)  # 11¼ hours after the departure
    assert not PlateMatch.objects.get(read=read, declaration=arrived).too_early
    arrived.refresh_from_db()
    assert arrived.dest_first_read_at == read.captured_at
    assert not _holds(arrived, "arrival_without_read")
    client.force_login(dest_clerk)
    html = client.get(reverse("declarations:detail", args=[arrived.pk])).content.decode()
    assert 'data-seen="yes"' in html and "too early for the route" not in html


@pytest.mark.persian
def test_a_read_at_the_destination_before_the_departure_is_no_arrival(client, dest_clerk, thr_camera, arrived):
    """The truck at Tehran before it left Bazargan (its previous trip): kept and shown, no arrival, and no
    «plate read without arrival» either."""
    read = _read(thr_camera, PLATE, hours_ago=13)  # an hour before the departure
    match = PlateMatch.objects.get(read=read, declaration=arrived)
    assert match.at_destination and match.too_early
    arrived.refresh_from_db()
    assert arrived.dest_first_read_at is None
    assert _holds(arrived, "arrival_without_read")

    client.force_login(dest_clerk)
    html = client.get(reverse("declarations:detail", args=[arrived.pk])).content.decode()
    gate = html.split('id="gate-reads"', 1)[1].split("</section>", 1)[0]
    assert 'data-seen="no"' in html and "دیده شد" not in gate
    assert "فقط پیش از آغاز سفرش خوانده است" in gate and "data-before-trip" in gate
    assert "زودتر از کمترین زمان سفر" not in gate
    timeline = html.split('data-kind="plate_read"', 1)[1].split("</li>", 1)[0]
    assert "پیش از آغاز سفر: شاهد وصول شمرده نمی‌شود" in timeline


@pytest.fixture
def registered(bazargan, tehran, thr_camera):
    """Bazargan → Tehran, registered two hours ago, not yet departed."""
    RoadDistance.objects.create(office_a=bazargan, office_b=tehran, km=880)
    now = timezone.now()
    return DeclarationFactory(
        origin=bazargan,
        destination=tehran,
        vehicle=VehicleFactory(plate=PLATE),
        status=Status.REGISTERED,
        declared_at=now - dt.timedelta(hours=2),
    )


def test_a_read_at_the_destination_before_the_registration_raises_no_signal(thr_camera, registered):
    """Read at Tehran 20 hours before it was registered at Bazargan: no «plate read without arrival» once the
    grace has passed, because the truck was not read on this trip."""
    read = _read(thr_camera, PLATE, hours_ago=22)
    assert PlateMatch.objects.get(read=read, declaration=registered).too_early
    registered.refresh_from_db()
    assert registered.dest_first_read_at is None
    assert not _holds(registered, "read_without_arrival")


def test_a_departure_recorded_late_judges_the_destination_reads_again(origin_clerk, thr_camera, registered):
    """A read at Tehran an hour after the registration counts while no departure is recorded (nothing to measure
    the trip from); the departure, recorded then as an hour and a half ago, makes it too early for the route:
    the first read at the destination is cleared, and the change is in the audit log by whoever recorded it."""
    from auditlog.models import LogEntry

    from declarations.services import declaration_depart

    read = _read(thr_camera, PLATE, hours_ago=1)
    match = PlateMatch.objects.get(read=read, declaration=registered)
    assert not match.too_early
    registered.refresh_from_db()
    assert registered.dest_first_read_at == read.captured_at

    declaration_depart(declaration=registered, by=origin_clerk, at=timezone.now() - dt.timedelta(hours=1.5))
    match.refresh_from_db()
    registered.refresh_from_db()
    assert match.too_early and registered.dest_first_read_at is None
    entry = LogEntry.objects.get_for_object(match).latest("timestamp")
    assert entry.changes_dict["too_early"] == ["False", "True"] and entry.actor == origin_clerk
