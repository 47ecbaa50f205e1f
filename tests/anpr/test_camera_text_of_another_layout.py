"""A camera's own reading of a plate of another layout (a free zone's «اروند ۳۰۴۴۳۲») is what it read: the
camera page shows it without «no plate text» beside it, the review form opens in that layout filled with it,
and a person saving the same text confirms it (history: «before» is the camera's text)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from anpr import ingest, review
from anpr.models import LabelReason, PlateLabel, PlateLayout, PlateRead
from tests import files

pytestmark = pytest.mark.django_db
SENT = "اروند ۳۰۴۴۳۲"


@pytest.fixture
def free_zone_read(thr_camera):
    at = (timezone.now() - dt.timedelta(hours=1)).replace(microsecond=0)
    item = ingest.ReadInput(captured_at=at, plate_raw=SENT, confidence=0.91, photo=files.jpeg((320, 240)))
    (r,) = ingest.reads_ingest(camera=thr_camera, items=[item])
    return PlateRead.objects.get(pk=r.id)


@pytest.mark.persian
def test_the_camera_page_shows_the_cameras_text_as_what_it_read(client, dest_clerk, thr_camera, free_zone_read):
    client.force_login(dest_clerk)
    page = client.get(reverse("anpr:camera", args=[thr_camera.pk])).content.decode()
    row = page.split(f'data-read="{free_zone_read.pk}"', 1)[1].split("</tr>", 1)[0]
    assert "اروند" in row and "بدون متن پلاک" not in row


def test_the_form_opens_in_its_layout_and_saving_it_confirms_the_cameras_text(client, dest_clerk, free_zone_read):
    assert review.queue(dest_clerk).filter(pk=free_zone_read.pk).exists()
    client.force_login(dest_clerk)
    url = reverse("anpr:read-review", args=[free_zone_read.pk])
    page = client.get(url).content.decode()
    assert 'value="other" checked' in page or 'value="other" selected' in page or "other_text" in page
    assert 'value="ir_free_zone" selected' in page
    assert 'value="اروند 304432"' in page

    data = {"kind": "other", "layout": PlateLayout.FREE_ZONE, "other_text": "اروند 304432", "seen": ""}
    response = client.post(url, data, follow=True)
    assert "The plate was confirmed: " in response.content.decode()
    label = PlateLabel.objects.get(read=free_zone_read)
    assert (label.plate, label.plate_before, label.corrected) == ("اروند 304432", "اروند 304432", False)
    assert label.reason == LabelReason.UNREADABLE
