"""A read's «match» cell on the camera page and the plate search showed «تطبیق‌یافته» twice: once for the match a
person rejected by reading another plate, once for the match that reading made. A rejected match has no «matched» badge, as on the declaration's gate reads, and
a read matched is said so once."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from anpr import ingest, review, sightings
from anpr.models import PlateMatch, PlateRead
from declarations.services import declaration_depart
from tests import files
from tests.factories import DeclarationFactory, VehicleFactory

pytestmark = pytest.mark.django_db
FIRST, SECOND = "12ب34565", "45ج71248"


def _on_the_road(bazargan, tehran, vehicle):
    d = DeclarationFactory(origin=bazargan, destination=tehran, vehicle=vehicle)
    declaration_depart(declaration=d, by=None, at=timezone.now() - dt.timedelta(hours=20))
    return d


def _read(camera, plate) -> PlateRead:
    at = (timezone.now() - dt.timedelta(hours=2)).replace(microsecond=0)
    (r,) = ingest.reads_ingest(
        camera=camera, items=[ingest.ReadInput(captured_at=at, plate_raw=plate, photo=files.jpeg((320, 240)))]
    )
    sightings.reads_match(read_ids=[r.id])
    return PlateRead.objects.get(pk=r.id)


def _cell(html: str, read: PlateRead, column: int = 7) -> str:
    row = html.split(f'data-read="{read.pk}"', 1)[1].split("</tr>", 1)[0]
    # captured at, office, camera, plate, engine, confidence, match, photo (a camera's page: no office, no camera)
    return re.split(r"<td[^>]*>", row)[column]


@pytest.mark.persian
def test_a_corrected_read_is_matched_once(client, dest_clerk, bazargan, tehran, thr_camera):
    _on_the_road(bazargan, tehran, VehicleFactory(plate=FIRST))
    _on_the_road(bazargan, tehran, VehicleFactory(plate=SECOND))
    read = _read(thr_camera, FIRST)
    review.read_label(read=read, by=dest_clerk, plate=SECOND)
    assert sorted((m.exact, m.review) for m in PlateMatch.objects.filter(read=read)) == [(True, ""), (True, "rejected")]
    client.force_login(dest_clerk)
    pages = ((reverse("anpr:camera", args=[thr_camera.pk]), {}, 5), (reverse("anpr:plates"), {"q": SECOND}, 7))
    for url, query, column in pages:
        cell = _cell(client.get(url, query).content.decode(), read, column)
        assert cell.count("تطبیق‌یافته") == 1, cell
