"""A read the reader gave only in part (``PlateRead.ocr_partial``: the places it read steadily, shown to the person)
that a person then read was counted by the per-camera corrections report as «read by a person (nothing read
before)». It was read, in part: the person completed it, so it is counted as corrected, in its own column
«corrected: read in part» (not under a reason of the queue), on the page and in its files alike."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from anpr import ingest, review
from anpr.models import MatchState, PlateRead, Recognition
from anpr.reports import CameraCorrections
from tests import files
from tests.export_jobs import download

pytestmark = pytest.mark.django_db


def _read(camera, partial: str, hours_ago: int) -> PlateRead:
    at = (timezone.now() - dt.timedelta(hours=hours_ago)).replace(microsecond=0)
    (r,) = ingest.reads_ingest(camera=camera, items=[ingest.ReadInput(captured_at=at, photo=files.jpeg((320, 240)))])
    PlateRead.objects.filter(pk=r.id).update(
        recognition=Recognition.UNREADABLE, confidence=0.0, match_state=MatchState.NO_PLATE, ocr_partial=partial
    )
    return PlateRead.objects.get(pk=r.id)


def test_a_read_in_part_that_a_person_completed_counts_as_corrected(client, dest_clerk, hq, thr_camera):
    review.read_label(read=_read(thr_camera, "45?712??", 2), by=dest_clerk, plate="45ج71248")
    review.read_label(read=_read(thr_camera, "", 3), by=dest_clerk, plate="45ج71249")

    client.force_login(hq)
    client.cookies["django_language"] = "en"
    url = reverse("anpr:report", args=["anpr-camera-corrections"])
    csv = download(client, url, {"format": "csv"}).content.decode("utf-8-sig")
    head, row = csv.splitlines()[:2]
    assert len(head.split(",")) == len(row.split(",")) == len(CameraCorrections.headers)
    cells = dict(zip(head.split(","), row.split(","), strict=True))
    assert (cells["Reviewed"], cells["Corrected"], cells["Corrected: read in part"]) == ("2", "1", "1")
    assert cells["Read by a person (nothing read before)"] == "1" and cells["Confirmed as read"] == "0"
    page = client.get(url).content.decode()
    assert "Corrected: read in part" in page or "corrected: read in part" in page
