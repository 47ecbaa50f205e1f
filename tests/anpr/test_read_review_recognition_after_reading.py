"""The read-review page's «recognition» row: a read the reader left to a person says so («to be read by a
person») until a person reads it; once a person has read the plate it says it was read by a person, not the
waiting state it was left in (the next row says who read it and when)."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from anpr import ingest, review
from anpr.models import MatchState, PlateRead, Recognition
from tests import files

pytestmark = pytest.mark.django_db


def _left_to_a_person(camera) -> PlateRead:
    at = (timezone.now() - dt.timedelta(hours=3)).replace(microsecond=0)
    (r,) = ingest.reads_ingest(camera=camera, items=[ingest.ReadInput(captured_at=at, photo=files.jpeg((320, 240)))])
    PlateRead.objects.filter(pk=r.id).update(recognition=Recognition.MANUAL, match_state=MatchState.NO_PLATE)
    return PlateRead.objects.get(pk=r.id)


def _recognition_row(client, read) -> str:
    html = client.get(reverse("anpr:read-review", args=[read.pk])).content.decode()
    dd = html.split("recognition</dt>", 1)[1].split("</dd>", 1)[0]
    return re.sub(r"<[^>]+>", "", dd).strip()


def test_it_waits_for_a_person_until_one_reads_it(client, dest_clerk, thr_camera):
    read = _left_to_a_person(thr_camera)
    client.force_login(dest_clerk)
    assert _recognition_row(client, read).startswith("to be read by a person")


def test_once_read_by_a_person_it_says_so(client, dest_clerk, thr_camera):
    read = _left_to_a_person(thr_camera)
    review.read_label(read=read, by=dest_clerk, plate="۴۵ج۷۱۲۴۸")
    client.force_login(dest_clerk)
    row = _recognition_row(client, read)
    assert row.startswith("read by a person") and "to be read" not in row
