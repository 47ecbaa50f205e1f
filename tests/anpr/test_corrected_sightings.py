"""A read a person corrected to another plate is a sighting of the plate they read, not of the camera's:
the plate search page and the API agree, and the API says the read was corrected and what the camera read."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from anpr import ingest, review, sightings
from anpr.models import PlateRead

pytestmark = pytest.mark.django_db
CAMERA_READ = "87و58392"


@pytest.fixture
def corrected(thr_camera, dest_clerk):
    at = (timezone.now() - dt.timedelta(hours=2)).replace(microsecond=0)
    (r,) = ingest.reads_ingest(camera=thr_camera, items=[ingest.ReadInput(captured_at=at, plate_raw=CAMERA_READ)])
    sightings.reads_match(read_ids=[r.id])
    read = PlateRead.objects.get(pk=r.id)
    assert read.plate == CAMERA_READ
    review.read_label(read=read, by=dest_clerk, plate="34ABC123", country="TR")
    return read


def _sighting_ids(client, q):
    html = client.get(reverse("anpr:plates"), {"q": q}).content.decode()
    sightings_table = html.split("data-plate=", 1)[1].split("</table>", 1)[0]
    return {int(part.split('"', 1)[0]) for part in sightings_table.split('data-read="')[1:]}


def test_the_plate_search_lists_a_corrected_read_under_the_plate_a_person_read(client, dest_clerk, corrected):
    client.force_login(dest_clerk)
    assert _sighting_ids(client, CAMERA_READ) == set()
    assert _sighting_ids(client, "34ABC123") == {corrected.pk}


def test_the_api_finds_a_corrected_read_by_its_corrected_plate_and_says_it_was_corrected(dest_clerk, corrected):
    api = APIClient()
    api.force_authenticate(dest_clerk)
    url = reverse("anpr-api-read-list")
    assert api.get(url, {"plate": CAMERA_READ}).json() == []
    (row,) = api.get(url, {"plate": "34ABC123"}).json()
    assert row["id"] == corrected.pk
    assert (row["plate"], row["country"], row["corrected"]) == ("34ABC123", "TR", True)
    assert (row["original_plate"], row["original_country"]) == (CAMERA_READ, "IR")
    detail = api.get(reverse("anpr-api-read-detail", args=[corrected.pk])).json()
    assert (detail["plate"], detail["corrected"], detail["original_plate"]) == ("34ABC123", True, CAMERA_READ)


def test_a_foreign_plate_a_person_read_is_shown_with_its_country(client, dest_clerk, corrected):
    """The same text is another truck in another country: the plate search and the read's labels say TR."""
    client.force_login(dest_clerk)
    search = client.get(reverse("anpr:plates"), {"q": "34ABC123"}).content.decode()
    row = search.split(f'data-read="{corrected.pk}"', 1)[1].split("</tr>", 1)[0]
    assert '<bdi dir="ltr" class="ident ident-plate">34ABC123 (TR)</bdi>' in row
    page = client.get(reverse("anpr:read-review", args=[corrected.pk])).content.decode()
    labels = page.split("data-labels", 1)[1].split("</table>", 1)[0]
    assert '<bdi dir="ltr" class="ident ident-plate">34ABC123 (TR)</bdi>' in labels
