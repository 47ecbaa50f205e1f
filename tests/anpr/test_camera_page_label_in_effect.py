"""The camera page lists each read by the plate in effect: a person's reading over the camera's text, with a
short mark of what the person did and the camera's text apart, and a read a person read says who reviewed it
and when instead of an empty cell; the labels come with the reads, not one query per row."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from anpr import ingest, review
from anpr.models import MatchState, PlateRead, Recognition
from core.dates import format_jalali
from declarations.idents import plate_html
from tests import files

pytestmark = pytest.mark.django_db
CAMERA_PLATE = "12ب34567"
PERSON_PLATE = "45ج71248"


def _read(camera, minutes: int, plate_raw: str = "") -> PlateRead:
    at = (timezone.now() - dt.timedelta(minutes=minutes)).replace(microsecond=0)
    (r,) = ingest.reads_ingest(
        camera=camera, items=[ingest.ReadInput(captured_at=at, plate_raw=plate_raw, photo=files.jpeg((320, 240)))]
    )
    if not plate_raw:  # a photo the reader read nothing from
        PlateRead.objects.filter(pk=r.id).update(
            recognition=Recognition.UNREADABLE, confidence=0.0, match_state=MatchState.NO_PLATE
        )
    return PlateRead.objects.select_related("office", "camera").get(pk=r.id)


def _row(page: str, read: PlateRead) -> str:
    return page.split(f'data-read="{read.pk}"', 1)[1].split("</tr>", 1)[0]


@pytest.mark.persian
def test_the_camera_page_shows_the_plate_in_effect_and_who_reviewed_it(client, dest_clerk, thr_camera):
    corrected = _read(thr_camera, 30, CAMERA_PLATE)
    unread = _read(thr_camera, 20)
    untouched = _read(thr_camera, 10, CAMERA_PLATE)
    confirmed = _read(thr_camera, 5, CAMERA_PLATE)
    label = review.read_label(read=corrected, by=dest_clerk, plate=PERSON_PLATE).label
    review.read_label(read=unread, by=dest_clerk, plate=PERSON_PLATE)
    review.read_label(read=confirmed, by=dest_clerk, plate=CAMERA_PLATE)
    client.force_login(dest_clerk)
    page = client.get(reverse("anpr:camera", args=[thr_camera.pk])).content.decode()
    with translation.override("fa"):
        person, camera = str(plate_html(PERSON_PLATE, "IR")), str(plate_html(CAMERA_PLATE, "IR"))
        when = format_jalali(label.at, persian=True)

    row = _row(page, corrected)
    assert person in row and "اصلاح‌شده به‌دست کاربر" in row
    camera_read = row.split("data-camera-read", 1)[1]
    assert camera in camera_read  # the camera's text, apart
    assert row.index(person) < row.index("data-camera-read")
    assert "data-reviewed" in row and "مریم کریمی" in row and when in row
    assert "data-review-link" not in row

    row = _row(page, unread)
    assert person in row and "خوانده‌شده به‌دست کاربر" in row and "اصلاح‌شده" not in row
    assert "data-reviewed" in row

    row = _row(page, untouched)
    assert camera in row and "data-labelled" not in row and "data-reviewed" not in row

    # the camera's own text confirmed: said so, not «read by a person» as for a photo nothing was read from
    row = _row(page, confirmed)
    assert 'data-labelled="confirmed"' in row and "تأییدشده به‌دست کاربر" in row
    assert "خوانده‌شده به‌دست کاربر" not in row and "اصلاح‌شده" not in row


def test_the_labels_come_with_the_reads_not_one_query_a_row(client, dest_clerk, thr_camera):
    client.force_login(dest_clerk)
    url = reverse("anpr:camera", args=[thr_camera.pk])

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    for minutes in (40, 35):
        review.read_label(read=_read(thr_camera, minutes, CAMERA_PLATE), by=dest_clerk, plate=PERSON_PLATE)
    two = queries()
    for minutes in (30, 25, 20):
        review.read_label(read=_read(thr_camera, minutes, CAMERA_PLATE), by=dest_clerk, plate=PERSON_PLATE)
    assert queries() == two
