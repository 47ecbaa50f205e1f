"""Reads only near an arrival with no plate read contradict no declaration: they wait under their own tab,
named as each of their rows is, and «contradicts» holds only the reads whose match a person rejected."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from anpr import ingest, review, sightings
from anpr.models import LabelReason, PlateLabel, PlateRead
from declarations.services import declaration_confirm_arrival, declaration_depart
from tests import files
from tests.factories import DeclarationFactory, VehicleFactory

pytestmark = pytest.mark.django_db
DECLARED = "12ب34565"


def _read(camera, sent, hours_ago) -> PlateRead:
    at = (timezone.now() - dt.timedelta(hours=hours_ago)).replace(microsecond=0)
    (r,) = ingest.reads_ingest(
        camera=camera, items=[ingest.ReadInput(captured_at=at, plate_raw=sent, photo=files.jpeg((320, 240)))]
    )
    sightings.reads_match(read_ids=[r.id])
    return PlateRead.objects.get(pk=r.id)


def _tab(page: str, kind: str) -> tuple[str, int]:
    tab = page.split(f'data-kind="{kind}"', 1)[1].split("</a>", 1)[0]
    return tab, int(tab.split('data-count="', 1)[1].split('"', 1)[0])


def _rows(page: str) -> list[str]:
    table = page.split("data-review-queue", 1)[1].split("</table>", 1)[0]
    return table.split('<tr data-read="')[1:]


@pytest.mark.persian
def test_a_read_near_an_unseen_arrival_waits_under_its_own_tab_not_contradicts(
    client, dest_clerk, bazargan, tehran, thr_camera
):
    d = DeclarationFactory(origin=bazargan, destination=tehran, vehicle=VehicleFactory(plate=DECLARED))
    declaration_depart(declaration=d, by=None, at=timezone.now() - dt.timedelta(hours=20))
    declaration_confirm_arrival(
        declaration=d, by=dest_clerk, at=timezone.now() - dt.timedelta(hours=2), unseen_reason="camera misread"
    )
    gate = _read(thr_camera, "12ب84365", hours_ago=2.2)
    client.force_login(dest_clerk)

    url = reverse("anpr:review-queue")
    contradicts = client.get(f"{url}?kind={LabelReason.CONTRADICTS}").content.decode()
    assert _tab(contradicts, LabelReason.CONTRADICTS)[1] == 0 == len(_rows(contradicts))

    near = client.get(f"{url}?kind={LabelReason.NEAR_ARRIVAL}").content.decode()
    name, count = _tab(near, LabelReason.NEAR_ARRIVAL)
    rows = _rows(near)
    assert "نزدیک وصولی بدون قرائت پلاک" in name and count == 1 == len(rows)
    assert rows[0].startswith(f'{gate.pk}"') and "نزدیک وصولی بدون قرائت پلاک" in rows[0]

    review.read_label(read=gate, by=dest_clerk, plate=DECLARED)
    assert PlateLabel.objects.get(read=gate).reason == LabelReason.NEAR_ARRIVAL
