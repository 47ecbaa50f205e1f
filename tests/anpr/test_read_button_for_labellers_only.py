"""«Read the plate» is offered only to a user who may read the plate (``review.may_label``): the IT office sees
the waiting reads on the queue and the camera page without the button, whose form would refuse it."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from anpr import ingest
from anpr.models import MatchState, PlateRead, Recognition
from tests import files

pytestmark = pytest.mark.django_db


def _unread(camera) -> PlateRead:
    at = (timezone.now() - dt.timedelta(minutes=20)).replace(microsecond=0)
    (r,) = ingest.reads_ingest(camera=camera, items=[ingest.ReadInput(captured_at=at, photo=files.jpeg((320, 240)))])
    PlateRead.objects.filter(pk=r.id).update(
        recognition=Recognition.UNREADABLE, confidence=0.0, match_state=MatchState.NO_PLATE
    )
    return PlateRead.objects.get(pk=r.id)


def _row(page: str, read: PlateRead) -> str:
    assert f'data-read="{read.pk}"' in page
    return page.split(f'data-read="{read.pk}"', 1)[1].split("</tr>", 1)[0]


@pytest.mark.parametrize(("who", "offered"), [("it_officer", False), ("dest_clerk", True)])
def test_the_read_button_is_shown_only_to_who_may_read_the_plate(client, request, who, offered, thr_camera):
    read = _unread(thr_camera)
    client.force_login(request.getfixturevalue(who))
    link = reverse("anpr:read-review", args=[read.pk])
    for url in (reverse("anpr:review-queue"), reverse("anpr:camera", args=[thr_camera.pk])):
        row = _row(client.get(url).content.decode(), read)
        assert (f'href="{link}' in row) is offered, url
    refused = client.post(link, {"kind": "IR", "two": "45", "letter": "ج", "three": "712", "province": "48"})
    assert (refused.status_code == 403) is not offered
