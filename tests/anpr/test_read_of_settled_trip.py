"""A read taken before a declaration was settled, that comes in after (a camera offline that sends its buffer
late), is the truck on that trip: matched to it, so «arrival without plate read» clears for the inspector. A
read long after the settlement is not that trip's, and a read of the truck on its next trip goes to that one."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from anpr import ingest, sightings
from anpr.models import MatchState, PlateMatch, PlateRead
from declarations import monitoring
from declarations.models import Status, TransitDeclaration
from declarations.services import declaration_confirm_arrival, declaration_depart, declaration_settle
from tests.factories import DeclarationFactory

pytestmark = pytest.mark.django_db
H = dt.timedelta(hours=1)


@pytest.fixture
def settled(truck, declaration, thr_camera):
    """Departed 20 hours ago; arrival confirmed at Tehran 4 hours ago with no plate read (its camera was
    offline); settled an hour later."""
    now = timezone.now()
    declaration_confirm_arrival(declaration=declaration, by=None, at=now - 4 * H)
    declaration_settle(declaration=declaration, by=None, at=now - 3 * H)
    declaration.refresh_from_db()
    assert declaration.status == Status.SETTLED and _holds(declaration, "arrival_without_read")
    return declaration


def _sent_late(camera, plate, at) -> int:
    (read,) = ingest.reads_ingest(camera=camera, items=[ingest.ReadInput(captured_at=at, plate_raw=plate)])
    sightings.reads_match(read_ids=[read.id])
    return read.id


def _holds(declaration, key) -> bool:
    return monitoring.filter_signal(TransitDeclaration.objects.filter(pk=declaration.pk), key).exists()


@pytest.mark.parametrize("before", [4.2, 3.5], ids=["before-the-arrival", "between-arrival-and-settlement"])
def test_a_read_taken_before_the_settlement_sent_late_clears_arrival_without_read(
    client, inspector, settled, thr_camera, before
):
    at = timezone.now() - before * H
    read_id = _sent_late(thr_camera, settled.vehicle.plate, at)

    match = PlateMatch.objects.get(read_id=read_id)
    assert match.declaration_id == settled.pk and match.at_destination and match.on_route
    settled.refresh_from_db()
    assert settled.dest_first_read_at == at
    assert not _holds(settled, "arrival_without_read")
    client.force_login(inspector)
    page = client.get(reverse("declarations:detail", args=[settled.pk])).content.decode()
    assert 'data-signal="arrival_without_read"' not in page


def test_a_read_long_after_the_settlement_does_not_attach_to_it(settled, thr_camera):
    read_id = _sent_late(thr_camera, settled.vehicle.plate, timezone.now() - 5 * dt.timedelta(minutes=1))
    assert not PlateMatch.objects.filter(read_id=read_id).exists()
    assert PlateRead.objects.get(pk=read_id).match_state == MatchState.UNMATCHED
    settled.refresh_from_db()
    assert settled.dest_first_read_at is None and _holds(settled, "arrival_without_read")


def test_a_read_of_the_truck_on_its_next_trip_goes_to_that_trip(settled, bazargan, tehran, thr_camera):
    now = timezone.now()
    next_trip = DeclarationFactory(
        origin=bazargan, destination=tehran, vehicle=settled.vehicle, declared_at=now - 2.5 * H
    )
    declaration_depart(declaration=next_trip, by=None, at=now - 2 * H)
    read_id = _sent_late(thr_camera, settled.vehicle.plate, now - 0.5 * H)
    assert list(PlateMatch.objects.filter(read_id=read_id).values_list("declaration_id", flat=True)) == [next_trip.pk]
    settled.refresh_from_db()
    assert settled.dest_first_read_at is None
