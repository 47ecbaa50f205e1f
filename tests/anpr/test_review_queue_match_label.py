"""The review queue's «match» column: a read matched only as a similar plate, awaiting «It is this truck /
Not this truck», was labelled «matched» (تطبیق‌یافته). It reads as the declaration's page writes it: a
similar plate with its score, not reviewed; an exact match stays «matched»."""

import pytest
from django.urls import reverse

from anpr.models import PlateMatch
from tests.anpr.test_plate_review import DECLARED, MISREAD, _read, on_the_road  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db


def _row(html: str, read_id: int) -> str:
    return html.split(f'data-read="{read_id}"', 1)[1].split("</tr>", 1)[0]


@pytest.mark.persian
def test_a_similar_plate_is_labelled_with_its_score_not_as_matched(client, dest_clerk, on_the_road, thr_camera):  # noqa: F811
    fuzzy = _read(thr_camera, MISREAD)
    match = PlateMatch.objects.get(read=fuzzy)
    assert not match.exact and match.review == ""
    client.force_login(dest_clerk)
    row = _row(client.get(reverse("anpr:review-queue")).content.decode(), fuzzy.pk)
    assert "تطبیق‌یافته" not in row
    assert "پلاک مشابه، امتیاز ۰٫" in row and "بررسی‌نشده" in row
    assert f'data-match="{on_the_road.pk}"' in row


def test_an_exact_match_is_still_matched(dest_clerk, on_the_road, thr_camera):  # noqa: F811
    from anpr import review

    exact = _read(thr_camera, DECLARED)
    matches = review.shown_matches([exact], dest_clerk)
    assert [m.exact for m in matches[exact.pk]] == [True]


@pytest.mark.persian
def test_the_camera_page_and_the_plate_search_label_a_similar_plate_as_the_queue_does(
    client,
    dest_clerk,
    on_the_road,  # noqa: F811
    thr_camera,
):
    """The reads tables (a camera's latest reads, a plate's sightings) said «matched» for it too."""
    fuzzy = _read(thr_camera, MISREAD)
    client.force_login(dest_clerk)
    pages = [
        client.get(reverse("anpr:camera", args=[thr_camera.pk])).content.decode(),
        client.get(reverse("anpr:plates"), {"q": fuzzy.plate}).content.decode(),
    ]
    for html in pages:
        row = _row(html, fuzzy.pk)
        assert "تطبیق‌یافته" not in row, row
        assert "پلاک مشابه، امتیاز ۰٫" in row and "بررسی‌نشده" in row
