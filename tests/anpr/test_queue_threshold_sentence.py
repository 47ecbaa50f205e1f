"""The queue's sentence on the confidence rule says what ``review.kind_filter`` does: only a read from a photo
(the plate reader's, or a camera's own read sent with its photo) taken within ``ANPR_REVIEW_DAYS`` comes for its
low confidence; a camera's read sent without a photo comes only for another reason (a near arrival, a similar
plate: the tabs), never for its confidence, as the page's sentence said wrongly before ("never does")."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from anpr import ingest, review
from anpr.models import LabelReason
from tests import files

pytestmark = pytest.mark.django_db


def _line(page: str) -> str:
    return page.split("</h1>", 1)[1].split("</p>", 1)[0]


@pytest.mark.persian
def test_the_confidence_rule_is_said_for_reads_from_a_photo_only(client, dest_clerk, thr_camera, settings):
    settings.ANPR_REVIEW_MIN_CONFIDENCE = 0.95
    settings.ANPR_REVIEW_DAYS = 30
    at = (timezone.now() - dt.timedelta(hours=1)).replace(microsecond=0)
    with_photo, without = ingest.reads_ingest(
        camera=thr_camera,
        items=[
            ingest.ReadInput(captured_at=at, plate_raw="22ب33344", confidence=0.5, photo=files.jpeg((320, 240))),
            ingest.ReadInput(captured_at=at, plate_raw="22ب33345", confidence=0.5),
        ],
    )
    waiting = set(review.queue(dest_clerk, LabelReason.LOW_CONFIDENCE).values_list("pk", flat=True))
    assert with_photo.id in waiting and without.id not in waiting
    client.force_login(dest_clerk)
    line = _line(client.get(reverse("anpr:review-queue")).content.decode())
    assert "کمتر از ۹۵٪" in line and "از روی عکس" in line and "۳۰ روز" in line
    assert "بدون عکس فرستاده تنها به یکی از دلیل‌های دیگرِ زبانه‌های زیر" in line and "هرگز به این صف" not in line


def test_the_rule_says_photo_only_on_english_pages_too(client, dest_clerk, settings):
    settings.ANPR_REVIEW_DAYS = 30
    client.force_login(dest_clerk)
    line = _line(client.get(reverse("anpr:review-queue")).content.decode())
    assert (
        "from a photo" in line and "30 days" in line and "without a photo comes here only for one of the other" in line
    )
