"""A suspicious verdict read «امتیاز ۰٫۰۰۰۶ (آستانه ۰٫۰۰۰۶)»: the score and its threshold, both cut to four
places, printed as the same number, so the verdict looked arbitrary. The pair is written with as many places as
it takes to tell them apart, on the viewer and in the comparisons' table."""

import pytest
from django.urls import reverse

from core.text import places_apart
from scans.models import ScanComparison

pytestmark = pytest.mark.django_db


def test_the_places_are_enough_to_tell_the_two_apart():
    assert places_apart(0.00063, 0.0006) == 5
    assert places_apart(0.02, 0.004) == 4  # four as before when four tell them apart
    assert places_apart(0.0006, 0.0006) == 5  # two significant digits, as any score beside this threshold
    # 0.000664 was «۰٫۰۰۰۷» (four places already told it apart): rounded up, and one row in five places, the
    # next in four; two significant digits of the larger keep every row beside a threshold of 0.0006 alike
    assert places_apart(0.000664, 0.0006) == 5 and places_apart(0.0006, 0.000664) == 5
    assert places_apart(0.00001, 0.0006) == 5


@pytest.mark.persian
def test_the_viewer_and_the_list_show_a_score_that_differs_from_its_threshold(client, done_comparison, dest_clerk):
    ScanComparison.objects.filter(pk=done_comparison.pk).update(score=0.000631, threshold=0.0006)
    client.force_login(dest_clerk)
    viewer = client.get(reverse("scans:viewer", args=[done_comparison.pk])).content.decode()
    assert "امتیاز ۰٫۰۰۰۶۳ (آستانه ۰٫۰۰۰۶۰)" in viewer
    listed = client.get(reverse("scans:declaration", args=[done_comparison.declaration_id])).content.decode()
    row = listed.split(f'id="comparison-{done_comparison.pk}"', 1)[1].split("</tr>", 1)[0]
    assert "۰٫۰۰۰۶۳" in row
