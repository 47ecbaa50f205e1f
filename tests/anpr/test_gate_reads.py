"""At "confirm arrival" the destination sees whether the truck was read at its gate; a similar-plate
match can be confirmed or rejected by a person, and a rejected one no longer makes the truck seen."""

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Role
from anpr import ingest, sightings
from anpr.models import PlateMatch
from declarations import monitoring
from declarations.models import ArrivalConfirmation, DeclarationEvent, Status, TransitDeclaration
from declarations.services import declaration_depart
from tests import files
from tests.factories import DeclarationFactory, UserFactory, VehicleFactory

pytestmark = pytest.mark.django_db
DECLARED = "12ب34565"
MISREAD = "12پ34565"  # ب/پ: a similar plate, score < 1


@pytest.fixture
def on_the_road(bazargan, tehran):
    d = DeclarationFactory(origin=bazargan, destination=tehran, vehicle=VehicleFactory(plate=DECLARED))
    declaration_depart(declaration=d, by=None, at=timezone.now() - dt.timedelta(hours=20))
    d.refresh_from_db()
    return d


def _read(camera, plate, hours_ago=2, photo=True):
    at = (timezone.now() - dt.timedelta(hours=hours_ago)).replace(microsecond=0)
    item = ingest.ReadInput(captured_at=at, plate_raw=plate, photo=files.jpeg((320, 240)) if photo else None)
    (r,) = ingest.reads_ingest(camera=camera, items=[item])
    sightings.reads_match(read_ids=[r.id])
    return at


def _detail(d):
    return reverse("declarations:detail", args=[d.pk])


def _confirm(client, d, **extra):
    data = {"confirm_arrival-seals_intact": "intact", **{f"confirm_arrival-{k}": v for k, v in extra.items()}}
    return client.post(reverse("declarations:action", args=[d.pk, "confirm_arrival"]), data)


def _field_errors(html: str, name: str) -> str:
    """The markup of one field of the arrival form, with the errors shown beside it."""
    form = html.split('data-action="confirm_arrival"', 1)[1].split("</form>", 1)[0]
    return form.split(f'name="confirm_arrival-{name}"', 1)[1].split('<div class="mb-2">', 1)[0]


def test_the_arrival_form_shows_the_gate_read_with_time_photo_plate_and_score(
    client, dest_clerk, on_the_road, thr_camera
):
    _read(thr_camera, MISREAD)
    client.force_login(dest_clerk)
    html = client.get(_detail(on_the_road)).content.decode()
    gate = html.split('id="gate-reads"', 1)[1].split("</section>", 1)[0]
    assert 'data-seen="yes"' in html
    match = PlateMatch.objects.get(declaration=on_the_road)
    assert reverse("anpr:photo", args=[match.read_id]) in gate  # the photo, as a link and a thumbnail
    assert "<img" in gate and "THR-1" in gate
    assert "similar plate, score 0.96" in gate
    assert reverse("anpr:match-review", args=[match.pk]) in gate  # the destination may review it
    # Seen: the form does not ask why it was not.
    assert 'name="confirm_arrival-unseen_reason"' not in html.split('data-action="confirm_arrival"', 1)[1]


def test_unseen_at_a_gate_with_a_camera_the_form_asks_why_and_writes_nothing_without(
    client, dest_clerk, on_the_road, thr_camera
):
    client.force_login(dest_clerk)
    page = client.get(_detail(on_the_road)).content.decode()
    assert 'id="gate-unseen"' in page
    response = _confirm(client, on_the_road)
    assert response.status_code == 400
    beside = _field_errors(response.content.decode(), "unseen_reason")
    assert "invalid-feedback" in beside and "say why" in beside
    on_the_road.refresh_from_db()
    assert on_the_road.status == Status.IN_TRANSIT and not ArrivalConfirmation.objects.exists()

    response = _confirm(client, on_the_road, unseen_reason="camera lens covered in dust")
    assert response.status_code == 302
    arrival = ArrivalConfirmation.objects.get(declaration=on_the_road)
    assert arrival.unseen_reason == "camera lens covered in dust"
    event = DeclarationEvent.objects.get(declaration=on_the_road, kind="confirm_arrival")
    assert event.data["seen_at_gate"] is False and "dust" in event.message
    assert "camera lens covered in dust" in client.get(_detail(on_the_road)).content.decode()


def test_an_office_without_a_camera_is_not_asked(client, dest_clerk, on_the_road, tehran):
    tehran.has_anpr = False
    tehran.save()
    client.force_login(dest_clerk)
    assert _confirm(client, on_the_road).status_code == 302


def test_the_api_asks_the_same(dest_clerk, on_the_road, thr_camera):
    api = APIClient()
    api.force_authenticate(dest_clerk)
    url = f"/api/declarations/{on_the_road.pk}/confirm-arrival/"
    response = api.post(url, {}, format="json")
    assert response.status_code == 400 and "unseen_reason" in response.json()["error"]["fields"]
    assert not ArrivalConfirmation.objects.exists()
    assert api.post(url, {"unseen_reason": "power cut at the gate"}, format="json").status_code == 200


def test_rejecting_a_similar_plate_match_unsees_the_truck(client, dest_clerk, on_the_road, thr_camera, settings):
    settings.SIGNAL_READ_WITHOUT_ARRIVAL_HOURS = 1
    _read(thr_camera, MISREAD, hours_ago=3)
    on_the_road.refresh_from_db()
    assert on_the_road.dest_first_read_at is not None
    match = PlateMatch.objects.get(declaration=on_the_road)
    client.force_login(dest_clerk)
    response = client.post(reverse("anpr:match-review", args=[match.pk]), {"decision": "rejected"})
    assert response.status_code == 302 and response.url == _detail(on_the_road)
    match.refresh_from_db()
    assert match.review == "rejected" and match.reviewed_by == dest_clerk and match.reviewed_at is not None
    assert LogEntry.objects.filter(object_pk=str(match.pk), actor=dest_clerk).exists()
    assert DeclarationEvent.objects.filter(declaration=on_the_road, kind="plate_match_rejected", actor=dest_clerk)
    on_the_road.refresh_from_db()
    assert on_the_road.dest_first_read_at is None and on_the_road.last_read_at is None
    qs = monitoring.filter_signal(TransitDeclaration.objects.all(), "read_without_arrival")
    assert not qs.filter(pk=on_the_road.pk).exists()
    # The arrival form now asks why the truck was not seen.
    page = client.get(_detail(on_the_road)).content.decode()
    assert 'data-seen="no"' in page and 'data-review="rejected"' in page
    assert _confirm(client, on_the_road).status_code == 400

    # Changing one's mind, saying why (the page asks for it): confirmed, it counts again.
    assert 'name="note"' in page.split('data-review="rejected"', 1)[1].split("</form>", 1)[0]
    client.post(reverse("anpr:match-review", args=[match.pk]), {"decision": "confirmed"})
    on_the_road.refresh_from_db()
    assert on_the_road.dest_first_read_at is None
    client.post(reverse("anpr:match-review", args=[match.pk]), {"decision": "confirmed", "note": "gate log: it is"})
    on_the_road.refresh_from_db()
    assert on_the_road.dest_first_read_at is not None
    assert _confirm(client, on_the_road).status_code == 302


def test_who_may_review_a_match(client, origin_clerk, outsider, hq, on_the_road, thr_camera):
    _read(thr_camera, MISREAD)
    match = PlateMatch.objects.get(declaration=on_the_road)
    url = reverse("anpr:match-review", args=[match.pk])
    client.force_login(outsider)
    assert client.post(url, {"decision": "rejected"}).status_code == 404  # not in their scope
    client.force_login(origin_clerk)  # sees the declaration, but the read is not at their office
    assert client.post(url, {"decision": "rejected"}).status_code == 403
    assert reverse("anpr:match-review", args=[match.pk]) not in client.get(_detail(on_the_road)).content.decode()
    match.refresh_from_db()
    assert match.review == ""
    client.force_login(hq)
    client.post(url, {"decision": "bogus"})
    match.refresh_from_db()
    assert match.review == ""


def test_an_exact_match_needs_no_review(dest_clerk, on_the_road, thr_camera):
    _read(thr_camera, DECLARED)
    match = PlateMatch.objects.get(declaration=on_the_road)
    api = APIClient()
    api.force_authenticate(dest_clerk)
    response = api.post(f"/api/anpr/matches/{match.pk}/review/", {"decision": "rejected"}, format="json")
    assert response.status_code == 409
    match.refresh_from_db()
    assert match.review == ""


def test_the_review_api(dest_clerk, origin_clerk, on_the_road, thr_camera):
    _read(thr_camera, MISREAD)
    match = PlateMatch.objects.get(declaration=on_the_road)
    api = APIClient()
    url = f"/api/anpr/matches/{match.pk}/review/"
    api.force_authenticate(origin_clerk)
    assert api.post(url, {"decision": "rejected"}, format="json").status_code == 403
    api.force_authenticate(dest_clerk)
    assert api.post(url, {"decision": "maybe"}, format="json").status_code == 400
    body = api.post(url, {"decision": "rejected", "note": "a different truck"}, format="json").json()
    assert body["review"] == "rejected" and body["declaration_dest_first_read_at"] is None


def test_the_reviewers_latin_name_is_isolated_beside_the_review(client, tehran, on_the_road, thr_camera):
    john = UserFactory(username="jsmith", role=Role.OFFICE, office=tehran, first_name="John", last_name="Smith 2")
    _read(thr_camera, MISREAD)
    match = PlateMatch.objects.get(declaration=on_the_road)
    client.force_login(john)
    assert client.post(reverse("anpr:match-review", args=[match.pk]), {"decision": "confirmed"}).status_code == 302
    page = client.get(_detail(on_the_road)).content.decode()
    assert "Confirmed by \u2068John Smith 2\u2069," in page


def test_a_review_answers_in_tehran_time_is_audited_once_and_a_flip_needs_a_note(dest_clerk, on_the_road, thr_camera):
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    _read(thr_camera, MISREAD)
    match = PlateMatch.objects.get(declaration=on_the_road)
    api = APIClient()
    api.force_authenticate(dest_clerk)
    url = f"/api/anpr/matches/{match.pk}/review/"
    body = api.post(url, {"decision": "rejected", "note": "a different truck"}, format="json").json()
    assert body["reviewed_at"].endswith("+03:30"), body["reviewed_at"]
    entries = LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(PlateMatch), object_pk=match.pk)
    assert entries.count() == 1

    refused = api.post(url, {"decision": "confirmed"}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 400 and "note" in refused.json()["error"]["fields"]
    match.refresh_from_db()
    assert match.review == "rejected" and entries.count() == 1

    flipped = api.post(url, {"decision": "confirmed", "note": "the gate log shows this truck"}, format="json")
    assert flipped.status_code == 200 and flipped.json()["review"] == "confirmed"
    assert entries.count() == 2
    assert entries.order_by("-pk").first().changes_dict["note"] == ["", "the gate log shows this truck"]
