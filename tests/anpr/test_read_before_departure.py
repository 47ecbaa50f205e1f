"""A truck read at an office before its trip began is not off its route: whether the departure was recorded
before the read came in or after it (a departure recorded late, dated after the read). A read after the
departure at an office off the route still is."""

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from anpr import ingest, services, sightings
from anpr.models import PlateMatch
from core.dates import format_jalali
from declarations import monitoring
from declarations.models import Status, TransitDeclaration
from declarations.services import declaration_depart
from tests.factories import OfficeFactory

pytestmark = pytest.mark.django_db
OFF_ROUTE = ("off the planned route", "off the declared route")


@pytest.fixture
def qazvin_camera():
    """A camera at Qazvin, an office off the declared route Bazargan → Tehran."""
    camera, _token = services.camera_register(office=OfficeFactory(code="QZV"), code="QZV-1", direction="in")
    return camera


def _sighting(camera, plate, at) -> int:
    (read,) = ingest.reads_ingest(camera=camera, items=[ingest.ReadInput(captured_at=at, plate_raw=plate)])
    sightings.reads_match(read_ids=[read.id])
    return read.id


def _off_route(declaration) -> bool:
    return monitoring.filter_signal(TransitDeclaration.objects.all(), "off_route").filter(pk=declaration.pk).exists()


def _page(client, user, declaration) -> str:
    client.force_login(user)
    response = client.get(reverse("declarations:detail", args=[declaration.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_a_read_before_a_departure_recorded_later_stops_counting_off_the_route(
    client, origin_clerk, inspector, declaration, qazvin_camera
):
    """Registered two days ago; the truck was read at Qazvin ten hours ago; the origin records five hours
    later that it left five hours ago. The read was before the trip: «off route» clears on the dashboard
    and the page, the match says it was on the way, and the audit trail says who changed it."""
    now = timezone.now()
    read_id = _sighting(qazvin_camera, declaration.vehicle.plate, now - dt.timedelta(hours=10))
    assert _off_route(declaration)  # registered, no departure: the trip counts from its registration

    client.force_login(origin_clerk)
    at = format_jalali(now - dt.timedelta(hours=5), persian=False)
    response = client.post(reverse("declarations:action", args=[declaration.pk, "depart"]), {"depart-at": at})
    assert response.status_code == 302
    declaration.refresh_from_db()
    assert declaration.status == Status.IN_TRANSIT

    assert declaration.off_route_read_at is None and not _off_route(declaration)
    page = _page(client, inspector, declaration)
    assert 'data-signal="off_route"' not in page
    assert not any(words in page for words in OFF_ROUTE)
    match = PlateMatch.objects.get(read_id=read_id, declaration=declaration)
    assert match.on_route is True
    entry = LogEntry.objects.get_for_object(match).get()
    assert entry.actor == origin_clerk and entry.changes_dict["on_route"] == ["False", "True"]


def test_a_read_after_the_departure_recorded_later_still_counts_off_the_route(
    client, inspector, declaration, qazvin_camera
):
    now = timezone.now()
    _sighting(qazvin_camera, declaration.vehicle.plate, now - dt.timedelta(hours=10))
    after = now - dt.timedelta(hours=3)
    _sighting(qazvin_camera, declaration.vehicle.plate, after)
    declaration_depart(declaration=declaration, by=None, at=now - dt.timedelta(hours=5))
    declaration.refresh_from_db()
    assert declaration.off_route_read_at == after and _off_route(declaration)
    assert 'data-signal="off_route"' in _page(client, inspector, declaration)


def test_a_read_before_the_departure_that_comes_in_after_it_is_not_off_the_route(
    client, inspector, declaration, qazvin_camera
):
    """The other order: the departure is recorded first, then a camera's buffer sends a read taken before it."""
    now = timezone.now()
    declaration_depart(declaration=declaration, by=None, at=now - dt.timedelta(hours=5))
    read_id = _sighting(qazvin_camera, declaration.vehicle.plate, now - dt.timedelta(hours=10))
    declaration.refresh_from_db()
    assert PlateMatch.objects.get(read_id=read_id, declaration=declaration).on_route is True
    assert declaration.off_route_read_at is None and not _off_route(declaration)
    page = _page(client, inspector, declaration)
    assert 'data-signal="off_route"' not in page and not any(words in page for words in OFF_ROUTE)
