"""A read below the review threshold is never shown at or above it: 94.75 % beside «less than 95 %» is
«۹۴٫۷٪», not «۹۵٪»; other confidences keep their whole percentage."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from anpr import ingest
from anpr.models import PlateRead, Recognition, confidence_percent
from tests import files

pytestmark = pytest.mark.django_db


def test_the_shown_confidence_never_rounds_up_to_the_threshold(settings):
    settings.ANPR_REVIEW_MIN_CONFIDENCE = 0.95
    assert str(confidence_percent(0.9475)) == "94.7"
    assert confidence_percent(0.95) == 95 and confidence_percent(0.865) == 87 and confidence_percent(0.9449) == 94


@pytest.mark.persian
def test_the_queue_row_of_a_read_at_94_75_does_not_say_95(client, dest_clerk, thr_camera, settings):
    settings.ANPR_REVIEW_MIN_CONFIDENCE = 0.95
    at = (timezone.now() - dt.timedelta(hours=1)).replace(microsecond=0)
    (r,) = ingest.reads_ingest(
        camera=thr_camera, items=[ingest.ReadInput(captured_at=at, photo=files.jpeg((320, 240)))]
    )
    PlateRead.objects.filter(pk=r.id).update(plate="45ج71248", recognition=Recognition.DONE, confidence=0.9475)
    client.force_login(dest_clerk)
    page = client.get(reverse("anpr:review-queue")).content.decode()
    row = page.split(f'data-read="{r.id}"', 1)[1].split("</tr>", 1)[0]
    assert "۹۴٫۷٪" in row and "۹۵٪" not in row
    assert "کمتر از ۹۵٪" in page
