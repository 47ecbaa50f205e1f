"""A read queued beside an arrival without plate read, that a person reads as the truck's plate, is the
arrival of that trip: matched to the declaration that arrived then (settled since or not), never to an older
trip of the same truck that arrived months ago and is still unsettled; the arrival's signal clears. A fresh
read at the destination of a truck with two arrived trips there goes likewise to the trip it is on."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from anpr.models import LabelReason, PlateLabel, PlateMatch
from declarations.models import Status, TransitDeclaration
from tests.anpr.test_plate_review import _entry, _holds, _read
from tests.factories import DeclarationFactory, VehicleFactory

pytestmark = pytest.mark.django_db
PLATE = "39ج64246"


@pytest.fixture
def trips(bazargan, tehran, thr_camera):
    """The truck's older trip to Tehran (arrived four months ago, unsettled) and today's (arrived two hours
    ago with no plate read); its camera read the gate then as another plate."""
    now = timezone.now()
    truck = VehicleFactory(plate=PLATE)
    older = DeclarationFactory(
        origin=bazargan,
        destination=tehran,
        vehicle=truck,
        status=Status.UNSETTLED,
        declared_at=now - dt.timedelta(days=130),
        departed_at=now - dt.timedelta(days=129),
        arrived_at=now - dt.timedelta(days=125),
    )
    today = DeclarationFactory(
        origin=bazargan,
        destination=tehran,
        vehicle=truck,
        status=Status.ARRIVED,
        declared_at=now - dt.timedelta(days=2),
        departed_at=now - dt.timedelta(days=1),
        arrived_at=now - dt.timedelta(hours=2),
    )
    return older, today


@pytest.mark.parametrize("status", [Status.ARRIVED, Status.SETTLED])
def test_the_plate_a_person_reads_matches_the_arrival_the_read_was_queued_for(
    client, dest_clerk, thr_camera, trips, status
):
    older, today = trips
    TransitDeclaration.objects.filter(pk=today.pk).update(status=status)
    gate = _read(thr_camera, "12ب84365", hours_ago=2.1)
    assert _holds(today, "arrival_without_read")
    client.force_login(dest_clerk)
    assert client.post(reverse("anpr:read-review", args=[gate.pk]), _entry(PLATE)).status_code == 302

    assert list(PlateMatch.objects.filter(read=gate).values_list("declaration_id", flat=True)) == [today.pk]
    today.refresh_from_db()
    older.refresh_from_db()
    assert today.dest_first_read_at == gate.captured_at
    assert not _holds(today, "arrival_without_read")
    assert (older.last_read_at, older.dest_first_read_at) == (None, None)


def test_a_fresh_read_at_the_destination_goes_to_the_trip_the_truck_is_on(thr_camera, trips):
    older, today = trips
    gate = _read(thr_camera, PLATE, hours_ago=2.1)
    assert list(PlateMatch.objects.filter(read=gate).values_list("declaration_id", flat=True)) == [today.pk]
    older.refresh_from_db()
    assert older.last_read_at is None


def test_a_match_made_from_a_typed_plate_is_not_shown_as_confirmed_by_the_person(client, dest_clerk, thr_camera, trips):
    """She typed a plate; she chose no declaration: the match it makes is an exact one, not «confirmed by a
    person (her name)» on the read's page or the declaration's."""
    _older, today = trips
    gate = _read(thr_camera, "12ب84365", hours_ago=2.1)
    client.force_login(dest_clerk)
    client.post(reverse("anpr:read-review", args=[gate.pk]), _entry(PLATE))
    match = PlateMatch.objects.get(read=gate)
    assert (match.declaration_id, match.exact, match.review, match.reviewed_by) == (today.pk, True, "", None)
    page = client.get(reverse("anpr:read-review", args=[gate.pk])).content.decode()
    row = page.split(f'data-match="{match.pk}"', 1)[1].split("</tr>", 1)[0]
    assert 'data-review=""' in row and "confirmed by a person" not in row and "تأییدشده" not in row


@pytest.mark.persian
def test_the_reading_keeps_the_reason_the_queue_gave(client, dest_clerk, thr_camera, trips):
    """The queue said «near an arrival with no plate read»; the read's history says the same, not «contradicts
    a declaration's plate» (no match of it was rejected)."""
    gate = _read(thr_camera, "12ب84365", hours_ago=2.1)
    client.force_login(dest_clerk)
    queued = client.get(reverse("anpr:read-review", args=[gate.pk])).content.decode()
    assert "نزدیک وصولی بدون قرائت پلاک" in queued.split("data-reasons", 1)[1].split("</dd>", 1)[0]
    client.post(reverse("anpr:read-review", args=[gate.pk]), _entry(PLATE))
    assert PlateLabel.objects.get(read=gate).reason == LabelReason.NEAR_ARRIVAL
    page = client.get(reverse("anpr:read-review", args=[gate.pk])).content.decode()
    history = page.split("data-labels", 1)[1].split("</table>", 1)[0]
    assert "نزدیک وصولی بدون قرائت پلاک" in history and "مغایر با پلاک اظهارنامه" not in history
