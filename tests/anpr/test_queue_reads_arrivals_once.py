"""The review queue looked up the arrivals still lacking a plate read once for every tab it counted, for the page
and for its total (five times a page, the page's slowest queries, 0.8-1.6 s a page in a walk): it looks them up once
a page, and every tab still counts the same reads."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from anpr import ingest, review
from anpr.models import LabelReason
from tests import files

pytestmark = pytest.mark.django_db


def test_the_queue_page_looks_up_the_unseen_arrivals_once(client, dest_clerk):
    client.force_login(dest_clerk)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("anpr:review-queue"))
    assert page.status_code == 200
    arrivals = [q["sql"] for q in queries.captured_queries if '"dest_first_read_at" IS NULL' in q["sql"]]
    assert len(arrivals) == 1


def test_one_set_of_filters_gives_each_tab_the_reads_its_own_queue_gives(dest_clerk, thr_camera, settings):
    settings.ANPR_REVIEW_MIN_CONFIDENCE = 0.95
    at = (timezone.now() - dt.timedelta(hours=1)).replace(microsecond=0)
    unsure, sure = ingest.reads_ingest(
        camera=thr_camera,
        items=[
            ingest.ReadInput(captured_at=at, plate_raw="22ب33344", confidence=0.5, photo=files.jpeg((320, 240))),
            ingest.ReadInput(captured_at=at, plate_raw="22ب33345", confidence=0.99, photo=files.jpeg((320, 240))),
        ],
    )
    filters = review.KindFilters(dest_clerk)
    tabs = {kind: list(review.queue(dest_clerk, kind, filters).values_list("pk", flat=True)) for kind in review.KINDS}
    assert tabs[LabelReason.LOW_CONFIDENCE] == [unsure.id] and all(sure.id not in pks for pks in tabs.values())
    for kind in [*review.KINDS, ""]:
        alone = list(review.queue(dest_clerk, kind).values_list("pk", flat=True))
        assert list(review.queue(dest_clerk, kind, filters).values_list("pk", flat=True)) == alone, kind
