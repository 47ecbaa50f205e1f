"""How a stored scan is described in the Persian page: its parts read in order, right to left."""

import pytest
from django.urls import reverse

from tests.scans.conftest import upload

pytestmark = [pytest.mark.django_db, pytest.mark.persian]


def test_the_format_and_size_are_isolated_from_the_bit_depth(client, declaration, origin_clerk):
    """Unisolated, «PNG ۳۶۰×۱۴۰ · ۸ بیت» showed as «۸ · ۳۶۰×۱۴۰ PNG بیت»: the 8 cut from its «bit»."""
    upload(declaration, "origin", origin_clerk)
    client.force_login(origin_clerk)
    page = client.get(reverse("scans:declaration", args=[declaration.pk])).content.decode()
    assert '<bdi class="scan-size">PNG ۳۶۰×۱۴۰</bdi> · ۸ بیت' in page


def test_the_reviewer_and_time_are_not_joined_by_a_latin_comma(client, done_comparison, dest_clerk):
    from scans import services

    services.comparison_review(
        comparison=done_comparison, by=dest_clerk, decision="accept", remark="بار را باز کردیم و دیدیم"
    )
    client.force_login(dest_clerk)
    page = client.get(reverse("scans:viewer", args=[done_comparison.pk])).content.decode()
    verdict_line = page.split('class="verdict ', 1)[1].split("</p>", 1)[0]
    assert "مریم کریمی" in verdict_line and "," not in verdict_line
