"""Under a plate a person read, the camera page wrote what the reader had read in brackets around a name that
has its own: «(پلاک‌خوان (شبکهٔ عصبی): —)». No bracket sits inside another now, on the reads tables and on the
declaration's gate reads."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from anpr import ingest, review, sightings
from anpr.models import MatchState, PlateRead, Recognition
from declarations.services import declaration_depart
from tests import files
from tests.factories import DeclarationFactory, VehicleFactory

pytestmark = pytest.mark.django_db
PLATE = "45ج71248"


def _nested(text: str) -> bool:
    depth = 0
    for ch in re.sub(r"<[^>]+>", "", text):
        if ch == "(":
            depth += 1
            if depth > 1:
                return True
        elif ch == ")":
            depth -= 1
    return False


@pytest.mark.persian
def test_what_the_reader_read_is_said_without_nested_brackets(client, dest_clerk, bazargan, tehran, thr_camera):
    d = DeclarationFactory(origin=bazargan, destination=tehran, vehicle=VehicleFactory(plate=PLATE))
    declaration_depart(declaration=d, by=None, at=timezone.now() - dt.timedelta(hours=20))
    at = (timezone.now() - dt.timedelta(hours=2)).replace(microsecond=0)
    (r,) = ingest.reads_ingest(
        camera=thr_camera, items=[ingest.ReadInput(captured_at=at, photo=files.jpeg((320, 240)))]
    )
    PlateRead.objects.filter(pk=r.id).update(
        engine="plate_crnn", recognition=Recognition.UNREADABLE, confidence=0.0, match_state=MatchState.NO_PLATE
    )
    sightings.reads_match(read_ids=[r.id])
    review.read_label(read=PlateRead.objects.get(pk=r.id), by=dest_clerk, plate=PLATE)
    client.force_login(dest_clerk)

    page = client.get(reverse("anpr:camera", args=[thr_camera.pk])).content.decode()
    row = page.split(f'data-read="{r.id}"', 1)[1].split("</tr>", 1)[0]
    said = row.split("data-camera-read", 1)[1].split("</small>", 1)[0]
    assert "پلاک‌خوان (شبکهٔ عصبی)" in said and "—" in said
    assert not _nested(said), said

    html = client.get(reverse("declarations:detail", args=[d.pk])).content.decode()
    gate = html.split('id="gate-reads"', 1)[1].split("</section>", 1)[0]
    said = gate.split("data-camera-read", 1)[1].split("</small>", 1)[0]
    assert "پلاک‌خوان (شبکهٔ عصبی)" in said
    assert not _nested(said), said
