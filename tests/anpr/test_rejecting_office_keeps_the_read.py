"""The office whose person rejected a plate read's match to a declaration keeps seeing that read and its photo
while the rejection stands: it is the evidence of its own decision, which the office may undo.
A rejected match still gives nobody else the read: the declaration's other offices lose it, no one gains it."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from anpr import ingest, services, sightings
from anpr.models import PlateMatch
from declarations.services import declaration_depart
from tests import files
from tests.factories import DeclarationFactory, OfficeFactory, ProvinceFactory, UserFactory, VehicleFactory

pytestmark = pytest.mark.django_db
DECLARED = "12ب34565"
MISREAD = "12پ34565"  # ب/پ: a similar plate, a match a person reviews


@pytest.fixture
def qazvin():
    province = ProvinceFactory(code="QZV", name_fa="قزوین", name_en="Qazvin")
    return OfficeFactory(code="QZV", name_fa="گمرک قزوین", name_en="Qazvin", province=province)


@pytest.fixture
def read_off_route(bazargan, tehran, qazvin):
    """Qazvin's camera (not on the declared route) reads a plate like the truck's bound for Tehran."""
    d = DeclarationFactory(origin=bazargan, destination=tehran, vehicle=VehicleFactory(plate=DECLARED))
    declaration_depart(declaration=d, by=None, at=timezone.now() - dt.timedelta(hours=20))
    camera, _token = services.camera_register(office=qazvin, code="QZV-1", direction="in", lane="1")
    at = (timezone.now() - dt.timedelta(hours=2)).replace(microsecond=0)
    item = ingest.ReadInput(captured_at=at, plate_raw=MISREAD, photo=files.jpeg((320, 240)))
    (read,) = ingest.reads_ingest(camera=camera, items=[item])
    sightings.reads_match(read_ids=[read.id])
    return PlateMatch.objects.select_related("read", "declaration").get(declaration=d, read_id=read.id)


def _sees(client, user, read_id) -> bool:
    client.force_login(user)
    photo = client.get(reverse("anpr:photo", args=[read_id])).status_code
    api = client.get(f"/api/anpr/reads/{read_id}/").status_code
    assert photo == api, (photo, api)
    return photo == 200


def test_the_destination_that_rejected_the_match_keeps_the_read_and_its_photo_and_may_undo(
    client, dest_clerk, tehran, read_off_route
):
    match = read_off_route
    colleague = UserFactory(username="dest_clerk_2", role=dest_clerk.role, office=tehran)
    assert _sees(client, dest_clerk, match.read_id)  # through the declaration bound for Tehran
    response = client.post(reverse("anpr:match-review", args=[match.pk]), {"decision": "rejected"})
    assert response.status_code == 302
    match.refresh_from_db()
    assert match.review == "rejected" and match.reviewed_by == dest_clerk
    match.declaration.refresh_from_db()
    assert match.declaration.last_read_at is None  # no longer a sighting of the truck

    for user in (dest_clerk, colleague):  # the office, not only the person
        assert _sees(client, user, match.read_id)
        body = client.get(f"/api/anpr/reads/{match.read_id}/").json()
        assert body["id"] == match.read_id

    # Undone, after a second look at the photo: the match counts again, and the read stays the office's.
    client.force_login(colleague)
    assert (
        client.post(
            reverse("anpr:match-review", args=[match.pk]),
            {"decision": "confirmed", "note": "Checked the photo again: it is this truck."},
        ).status_code
        == 302
    )
    match.refresh_from_db()
    match.declaration.refresh_from_db()
    assert match.review == "confirmed" and match.declaration.last_read_at is not None
    assert _sees(client, dest_clerk, match.read_id)


def test_a_rejection_gives_the_read_to_no_other_office(
    client, dest_clerk, origin_clerk, inspector, tehran, read_off_route
):
    match = read_off_route
    assert _sees(client, origin_clerk, match.read_id)  # the origin sees its truck's read, through the declaration
    client.force_login(dest_clerk)
    client.post(reverse("anpr:match-review", args=[match.pk]), {"decision": "rejected"})

    # The declaration's origin and its province's inspector: the read is no longer the declaration's.
    for user in (origin_clerk, inspector):
        assert not _sees(client, user, match.read_id)
    # An office that never saw it, in the rejecting office's province: nothing gained.
    nearby = OfficeFactory(code="IKA", name_en="Imam Khomeini airport", province=tehran.province)
    stranger = UserFactory(username="ika_clerk", role=dest_clerk.role, office=nearby)
    assert not _sees(client, stranger, match.read_id)
    # The rejection is the office's whose person made it: had Bazargan's, Tehran would not keep the read.
    match.reviewed_by = origin_clerk
    match.save(update_fields=["reviewed_by"])
    assert not _sees(client, dest_clerk, match.read_id)
    assert _sees(client, origin_clerk, match.read_id)


def test_the_timeline_links_a_reads_photo_only_for_who_may_open_it(
    client, dest_clerk, origin_clerk, bazargan, read_off_route
):
    """The origin saw the rejected read on the declaration's timeline with a link to its photo, and got a 404."""
    match = read_off_route
    camera, _token = services.camera_register(office=bazargan, code="BZG-1", direction="out", lane="1")
    item = ingest.ReadInput(
        captured_at=timezone.now() - dt.timedelta(hours=19), plate_raw=DECLARED, photo=files.jpeg((320, 240))
    )
    (departure,) = ingest.reads_ingest(camera=camera, items=[item])
    sightings.reads_match(read_ids=[departure.id])
    client.force_login(dest_clerk)
    client.post(reverse("anpr:match-review", args=[match.pk]), {"decision": "rejected"})
    rejected_photo = reverse("anpr:photo", args=[match.read_id])
    page = reverse("declarations:detail", args=[match.declaration_id])

    client.force_login(origin_clerk)
    html = client.get(page).content.decode()
    assert "rejected by a person (not this truck)" in html  # the read is still on the timeline
    assert rejected_photo not in html
    assert reverse("anpr:photo", args=[departure.id]) in html  # its own camera's read: linked, and it opens
    assert client.get(reverse("anpr:photo", args=[departure.id])).status_code == 200

    client.force_login(dest_clerk)  # the office that rejected it keeps the read, and the link opens it
    assert rejected_photo in client.get(page).content.decode()
    assert client.get(rejected_photo).status_code == 200


def test_a_declarations_only_read_once_rejected_stays_on_its_timeline(client, dest_clerk, read_off_route):
    """Its timeline dropped every read once the only one was rejected (no sighting left): the rejection is
    part of the declaration's history, and the office that rejected it keeps its photo link."""
    match = read_off_route
    client.force_login(dest_clerk)
    assert client.post(reverse("anpr:match-review", args=[match.pk]), {"decision": "rejected"}).status_code == 302
    match.declaration.refresh_from_db()
    assert match.declaration.last_read_at is None
    page = client.get(reverse("declarations:detail", args=[match.declaration_id]), HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert "rejected by a person (not this truck)" in html
    assert reverse("anpr:photo", args=[match.read_id]) in html
