"""A camera's page repeated «گمرک …» and «دوربین» on every row of its latest reads: the office's name, the
camera's code and «خوانش خود دوربین», though the page's header names the camera and its office. The rows now
leave them out (no office or camera column on that page; the camera's own reading is «خوانش خودش»); the reads
tables of other pages keep them."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from anpr import ingest, sightings
from tests import files

pytestmark = pytest.mark.django_db


def _table(page: str) -> tuple[str, str]:
    table = page.split('class="table table-sm table-striped align-middle anpr-reads"', 1)[1].split("</table>", 1)[0]
    head, body = table.split("<tbody>", 1)
    return head, body


@pytest.mark.persian
def test_a_cameras_rows_do_not_repeat_its_office_and_its_name(client, hq, thr_camera):
    at = (timezone.now() - dt.timedelta(hours=2)).replace(microsecond=0)
    items = [
        ingest.ReadInput(captured_at=at - dt.timedelta(minutes=n), plate_raw=plate, photo=files.jpeg((320, 240)))
        for n, plate in enumerate(["45ج71248", "12ب34565"])
    ]
    reads = ingest.reads_ingest(camera=thr_camera, items=items)
    sightings.reads_match(read_ids=[r.id for r in reads])
    client.force_login(hq)

    page = client.get(reverse("anpr:camera", args=[thr_camera.pk])).content.decode()
    head, body = _table(page)
    assert body.count("<tr") == 2
    assert "گمرک" not in body and "دوربین" not in body and thr_camera.code not in body
    assert "خوانش خودش" in body
    assert "گمرک" not in head and "دوربین" not in head  # no column for what the header above names
    assert "گمرک" in page.split("<table", 1)[0] and thr_camera.code in page.split("<table", 1)[0]

    # another page's reads table still names each read's office and camera
    plates = client.get(reverse("anpr:plates"), {"q": "45ج71248"}).content.decode()
    head, body = _table(plates)
    assert "دوربین" in head and thr_camera.code in body and "خوانش خود دوربین" in body
