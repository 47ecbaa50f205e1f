"""A read with a photo that no reader could read (no plate text) waits for a person in its own tab,
counted in the queue's header, and the camera page links its row to the page where a person reads it."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from anpr import ingest
from anpr.models import LabelReason, MatchState, PlateRead, Recognition
from tests import files

pytestmark = pytest.mark.django_db


def _unread(camera, hours_ago=2.0, **fields) -> PlateRead:
    at = (timezone.now() - dt.timedelta(hours=hours_ago)).replace(microsecond=0)
    (r,) = ingest.reads_ingest(camera=camera, items=[ingest.ReadInput(captured_at=at, photo=files.jpeg((60, 12)))])
    PlateRead.objects.filter(pk=r.id).update(
        **{"recognition": Recognition.UNREADABLE, "confidence": 0.0, "match_state": MatchState.NO_PLATE, **fields}
    )
    return PlateRead.objects.get(pk=r.id)


@pytest.mark.persian
def test_a_photo_no_reader_could_read_waits_in_its_own_tab_and_the_camera_page_links_it(client, dest_clerk, thr_camera):
    read = _unread(thr_camera)
    client.force_login(dest_clerk)
    page = client.get(reverse("anpr:review-queue") + "?kind=unreadable").content.decode()
    assert 'data-kind="unreadable" data-count="1"' in page
    assert "خوانده نشد" in page.split('data-kind="unreadable"', 1)[1].split("</a>", 1)[0]
    assert f'data-read="{read.pk}"' in page.split("data-review-queue", 1)[1]
    assert 'data-waiting="1"' in page
    everything = client.get(reverse("anpr:review-queue")).content.decode()
    assert 'data-waiting="1"' in everything and f'data-read="{read.pk}"' in everything

    camera_page = client.get(reverse("anpr:camera", args=[thr_camera.pk])).content.decode()
    row = camera_page.split(f'data-read="{read.pk}"', 1)[1].split("</tr>", 1)[0]
    assert reverse("anpr:read-review", args=[read.pk]) in row


def test_a_read_the_reader_failed_on_waits_too_and_one_still_pending_does_not(client, dest_clerk, thr_camera):
    failed = _unread(thr_camera, recognition=Recognition.FAILED, confidence=None)
    pending = _unread(thr_camera, hours_ago=1, recognition=Recognition.PENDING, confidence=None)
    client.force_login(dest_clerk)
    page = client.get(reverse("anpr:review-queue") + f"?kind={LabelReason.UNREADABLE}").content.decode()
    table = page.split("data-review-queue", 1)[1]
    assert f'data-read="{failed.pk}"' in table and f'data-read="{pending.pk}"' not in table
