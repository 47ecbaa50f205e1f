"""The review queue looked up the arrivals still lacking a plate read once for every tab it counted, for the page
and for its total (five times a page, the page's slowest queries, 0.8-1.6 s a page in a walk): it looks them up once
a page, and every tab still counts the same reads. A national user's page built a filter of up to 200 time ranges
into each of its eight queries (about a second of the ORM's time) and filtered the matches by a subquery of every
declaration: the reads near an arrival are looked up once, and matches are scoped by the declaration's offices."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from anpr import ingest, review
from anpr.models import LabelReason
from tests import files
from tests.anpr.test_plate_review import DECLARED, _read, on_the_road  # noqa: F401 (a fixture)

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


def test_matches_are_scoped_through_the_declarations_offices_not_a_list_of_every_declaration(
    hq,
    outsider,
    dest_clerk,
    on_the_road,  # noqa: F811
    thr_camera,
):
    """For a national user the matches were filtered by a subquery of every declaration (the page's slowest
    query, about 0.15 s on the demo); they are filtered by the declaration's offices, as the declarations are,
    and each user still sees the matches of the declarations in their scope only."""
    read = _read(thr_camera, DECLARED)
    with CaptureQueriesContext(connection) as queries:
        shown = review.shown_matches([read], hq)
    assert [m.declaration_id for m in shown[read.pk]] == [on_the_road.pk]
    assert not any('IN (SELECT "declarations_transitdeclaration"."id"' in q["sql"] for q in queries.captured_queries)
    assert [m.declaration_id for m in review.shown_matches([read], dest_clerk)[read.pk]] == [on_the_road.pk]
    assert review.shown_matches([read], outsider) == {}
