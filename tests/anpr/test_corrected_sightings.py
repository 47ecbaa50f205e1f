"""A read a person corrected to another plate is a sighting of the plate they read, not of the camera's:
the plate search page and the API agree, and the API says the read was corrected and what the camera read."""

import csv
import datetime as dt
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from anpr import ingest, review, sightings
from anpr.models import PlateRead
from tests.export_jobs import download

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
    assert api.get(url, {"plate": CAMERA_READ}).json()["results"] == []
    (row,) = api.get(url, {"plate": "34ABC123"}).json()["results"]
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


def test_a_foreign_plates_history_files_give_its_country_beside_it(client, dest_clerk, corrected):
    """The CSV, the XLSX and the PDF of a plate's sightings say the country the page shows («34ABC123 (TR)»),
    in a column beside the plate: the country a person read, and a camera's foreign read's own."""
    from tests.anpr.sheets import sheet, table
    from tests.pdftext import pdf_text

    at = (timezone.now() - dt.timedelta(hours=1)).replace(microsecond=0)
    item = ingest.ReadInput(captured_at=at, plate_raw="34ABC123", country="TR")
    ingest.reads_ingest(camera=corrected.camera, items=[item])
    client.force_login(dest_clerk)
    search = {"q": "34ABC123"}
    response = download(client, reverse("anpr:plates"), {**search, "format": "csv"})
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    plate, country = lines[0].index("Plate text"), lines[0].index("Country")
    assert country == plate + 1
    assert [(line[plate], line[country]) for line in lines[1:]] == [("34ABC123", "TR"), ("34ABC123", "TR")]
    rows = table(sheet(download(client, reverse("anpr:plates"), {**search, "format": "xlsx"})))
    assert [(row[plate].value, row[country].value) for row in rows[1:]] == [("34ABC123", "TR")] * 2
    assert rows[1][country].alignment.horizontal == "left"  # a code, read left to right
    text = pdf_text(download(client, reverse("anpr:plates"), {**search, "format": "pdf"}).content)
    assert len(re.findall(r"34ABC123\s+TR\b", text)) == 2 and "Country" in text  # each row: the plate, its country
