"""A plate typed for a read the reader could not read (no text before) is a first reading by a person, not a
correction: the message says so, and the per-camera report counts it apart, its columns adding up to the
reads reviewed and saying what each means."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from anpr import ingest
from anpr.models import MatchState, PlateRead, Recognition
from tests import files
from tests.export_jobs import download

pytestmark = pytest.mark.django_db
PLATE = "45ج71248"


def _entry(plate: str) -> dict:
    return {"kind": "IR", "two": plate[:2], "letter": plate[2], "three": plate[3:6], "province": plate[6:], "seen": ""}


@pytest.mark.persian
def test_typing_the_plate_of_an_unread_photo_is_a_first_reading_not_a_correction(client, dest_clerk, hq, thr_camera):
    at = (timezone.now() - dt.timedelta(hours=2)).replace(microsecond=0)
    (r,) = ingest.reads_ingest(
        camera=thr_camera, items=[ingest.ReadInput(captured_at=at, photo=files.jpeg((320, 240)))]
    )
    PlateRead.objects.filter(pk=r.id).update(
        recognition=Recognition.UNREADABLE, confidence=0.0, match_state=MatchState.NO_PLATE
    )
    client.force_login(dest_clerk)
    response = client.post(reverse("anpr:read-review", args=[r.id]), _entry(PLATE), follow=True)
    page = response.content.decode()
    assert "پلاک اصلاح شد" not in page and "پلاک به‌دست شما خوانده شد" in page

    client.force_login(hq)
    client.cookies["django_language"] = "en"
    url = reverse("anpr:report", args=["anpr-camera-corrections"])
    csv = download(client, url, {"format": "csv"}).content.decode("utf-8-sig")
    head, row = csv.splitlines()[:2]
    cells = dict(zip(head.split(","), row.split(","), strict=True))
    assert (cells["Reviewed"], cells["Corrected"]) == ("1", "0")
    assert cells["Read by a person (nothing read before)"] == "1" and cells["Confirmed as read"] == "0"
    page = client.get(url).content.decode()
    assert "data-report-explanation" in page
