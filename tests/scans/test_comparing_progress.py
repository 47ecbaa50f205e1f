"""While the worker compares, the scans page says so and its comparisons section polls itself;
once the verdict is there it stops polling and shows it."""

import pytest
from django.urls import reverse

from scans import services
from scans.models import ScanComparison, Stage
from tests.scans import images
from tests.scans.conftest import upload

pytestmark = pytest.mark.django_db


def test_the_page_shows_comparing_then_the_verdict(client, departed, origin_clerk, dest_clerk):
    upload(departed, Stage.ORIGIN, origin_clerk)
    upload(departed, Stage.DESTINATION, dest_clerk, images.png(seed=2))  # on_commit not run: queued
    comparison = ScanComparison.objects.get()
    assert comparison.status == ScanComparison.Status.QUEUED
    client.force_login(dest_clerk)
    url = reverse("scans:declaration", args=[departed.pk])

    page = client.get(url).content.decode()
    assert 'data-comparing="1"' in page and "?partial=comparisons" in page

    services.comparison_run(comparison_id=comparison.pk)  # what the worker does
    partial = client.get(url, {"partial": "comparisons"}, HTTP_HX_REQUEST="true")
    html = partial.content.decode()
    assert html.lstrip().startswith("<section") and "<html" not in html  # only the section is swapped
    assert 'data-comparing="1"' not in html and "hx-trigger" not in html  # done: it stops polling
    assert reverse("scans:viewer", args=[comparison.pk]) in html
