"""A read in the review queue that came without a photo: its page says so and what to do instead (check the
plate against the arrival record or at the gate), rather than leave the person to read a photo there is not."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from anpr import ingest, sightings
from anpr.models import PlateRead
from declarations.models import Status
from tests.anpr.test_plate_review import _queue_ids
from tests.factories import DeclarationFactory

pytestmark = pytest.mark.django_db


@pytest.mark.persian
def test_a_read_without_a_photo_says_how_to_confirm_its_plate(client, dest_clerk, bazargan, tehran, thr_camera):
    now = timezone.now()
    DeclarationFactory(origin=bazargan, destination=tehran, status=Status.ARRIVED,
                       departed_at=now - dt.timedelta(days=1), arrived_at=now - dt.timedelta(hours=2))  # fmt: skip
    item = ingest.ReadInput(captured_at=(now - dt.timedelta(hours=2.1)).replace(microsecond=0), plate_raw="12ب84365")
    (r,) = ingest.reads_ingest(camera=thr_camera, items=[item])
    sightings.reads_match(read_ids=[r.id])
    read = PlateRead.objects.get(pk=r.id)
    assert not read.photo
    client.force_login(dest_clerk)
    assert read.pk in _queue_ids(client)
    page = client.get(reverse("anpr:read-review", args=[read.pk])).content.decode()
    note = page.split("data-no-photo", 1)[1].split("</div>", 1)[0]
    assert "بدون عکس" in note and "سابقهٔ وصول" in note
