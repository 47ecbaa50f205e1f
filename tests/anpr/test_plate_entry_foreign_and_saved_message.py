"""Choosing «پلاک خارجی» left the Iranian boxes filled (a plate read in part fills them), and the message after
saving said only that the plate was saved. A foreign (or other-layout) plate now ignores the Iranian boxes and a
refused submit shows them empty; the message names the plate saved and the declarations the read matched, or says
it matched none."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from anpr import ingest, sightings
from anpr.models import MatchState, PlateLabel, PlateRead, Recognition
from declarations.services import declaration_depart
from tests import files
from tests.factories import DeclarationFactory, VehicleFactory

pytestmark = pytest.mark.django_db

IRANIAN_BOXES = {"two": "45", "letter": "ج", "three": "712", "province": "48"}


def _read(camera) -> PlateRead:
    at = (timezone.now() - dt.timedelta(hours=3)).replace(microsecond=0)
    (r,) = ingest.reads_ingest(camera=camera, items=[ingest.ReadInput(captured_at=at, photo=files.jpeg((320, 240)))])
    PlateRead.objects.filter(pk=r.id).update(
        recognition=Recognition.UNREADABLE, match_state=MatchState.NO_PLATE, ocr_partial="45?712??"
    )
    sightings.reads_match(read_ids=[r.id])
    return PlateRead.objects.get(pk=r.id)


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


@pytest.mark.persian
def test_a_foreign_plate_ignores_the_iranian_boxes_and_the_message_names_its_match(client, dest_clerk, thr_camera):
    read = _read(thr_camera)
    d = DeclarationFactory(destination=thr_camera.office, vehicle=VehicleFactory(plate="34ABC123", country="TR"))
    declaration_depart(declaration=d, by=None, at=timezone.now() - dt.timedelta(hours=20))
    client.force_login(dest_clerk)
    url = reverse("anpr:read-review", args=[read.pk])

    # refused (no country): the page comes back with the Iranian boxes empty
    refused = client.post(url, {"kind": "foreign", "foreign_text": "34 ABC 123", **IRANIAN_BOXES})
    assert refused.status_code == 400
    form = refused.context["form"]
    assert all(not form[name].value() for name in IRANIAN_BOXES)
    assert not PlateLabel.objects.filter(read=read).exists()

    response = client.post(
        url, {"kind": "foreign", "foreign_country": "tr", "foreign_text": "34 ABC 123", **IRANIAN_BOXES}, follow=True
    )
    label = PlateLabel.objects.get(read=read)
    assert (label.plate, label.country) == ("34ABC123", "TR")
    said = _messages(response)
    assert "34ABC123" in said and d.serial in said


@pytest.mark.persian
def test_the_message_says_when_the_plate_matched_no_declaration(client, dest_clerk, thr_camera):
    read = _read(thr_camera)
    client.force_login(dest_clerk)
    entry = {"kind": "IR", "two": "45", "letter": "ج", "three": "712", "province": "48"}
    response = client.post(reverse("anpr:read-review", args=[read.pk]), entry, follow=True)
    said = _messages(response)
    assert "با هیچ اظهارنامه‌ای تطبیق نیافت" in said
    assert "۷۱۲" in said  # the plate saved, in Persian digits
