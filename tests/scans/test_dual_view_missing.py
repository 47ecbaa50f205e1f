"""A dual-view pass with a view on one side only: the comparison is incomplete, not «consistent»."""

import datetime as dt

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from scans import services
from scans.benchmark.pairs import make_pair, synthetic_scan
from scans.models import ScanComparison, Stage, View
from tests.scans import images

pytestmark = pytest.mark.django_db


def upload(declaration, stage, by, data, view, name="scan.png"):
    services.scan_upload(
        declaration=declaration,
        stage=stage,
        scanner_id="DV-2",
        captured_at=timezone.now() - dt.timedelta(hours=1),
        files=[SimpleUploadedFile(name, data)],
        by=by,
        view=view,
    )


def consistent_pair(seed: int):
    rng = np.random.default_rng(seed)
    origin, dest_jpeg, _label = make_pair(synthetic_scan(rng, 640, 240), rng, tampered=False)
    return images.encode(origin, "PNG"), dest_jpeg


def test_a_side_view_missing_at_the_destination_is_said_and_the_pass_is_not_consistent(
    client, departed, origin_clerk, dest_clerk, django_capture_on_commit_callbacks
):
    top_origin, top_dest = consistent_pair(21)
    side_origin, _side_dest = consistent_pair(22)
    upload(departed, Stage.ORIGIN, origin_clerk, top_origin, View.TOP)
    upload(departed, Stage.ORIGIN, origin_clerk, side_origin, View.SIDE)
    with django_capture_on_commit_callbacks(execute=True):
        upload(departed, Stage.DESTINATION, dest_clerk, top_dest, View.TOP, name="top.jpg")
    (top,) = ScanComparison.objects.all()
    assert top.status == "done" and top.verdict == "consistent", top.error  # the stored comparison as it ran

    departed.refresh_from_db()
    assert departed.comparison_verdict != "consistent"
    client.force_login(dest_clerk)
    page = client.get(reverse("declarations:detail", args=[departed.pk])).content.decode()
    summary = page.split("Scan comparison</dt>", 1)[1].split("</dd>", 1)[0]
    assert "incomplete" in summary and "consistent" not in summary
    assert "The side view has not been uploaded at the destination" in summary

    scans_page = client.get(reverse("scans:declaration", args=[departed.pk])).content.decode()
    assert 'data-combined="incomplete"' in scans_page
    told = scans_page.split("data-missing-view", 1)[1].split("</p>", 1)[0]
    assert "The side view has not been uploaded at the destination" in told
    assert "the \u2068Tehran\u2069 office should upload its side view" in told
    assert "the destination office" not in told

    viewer = client.get(reverse("scans:viewer", args=[top.pk])).content.decode()
    told = viewer.split("data-missing-view", 1)[1].split("</p>", 1)[0]
    assert "the \u2068Tehran\u2069 office should upload its side view" in told
    summary_told = summary.split("data-missing-view", 1)[1].split("<a ", 1)[0]
    assert "the \u2068Tehran\u2069 office should upload its side view" in summary_told


def test_a_view_missing_at_the_origin_is_said_too(
    client, departed, origin_clerk, dest_clerk, django_capture_on_commit_callbacks
):
    top_origin, top_dest = consistent_pair(23)
    _side_origin, side_dest = consistent_pair(24)
    upload(departed, Stage.ORIGIN, origin_clerk, top_origin, View.TOP)
    upload(departed, Stage.DESTINATION, dest_clerk, side_dest, View.SIDE, name="side.jpg")
    with django_capture_on_commit_callbacks(execute=True):
        upload(departed, Stage.DESTINATION, dest_clerk, top_dest, View.TOP, name="top.jpg")

    departed.refresh_from_db()
    assert departed.comparison_verdict == "incomplete"
    client.force_login(origin_clerk)
    scans_page = client.get(reverse("scans:declaration", args=[departed.pk])).content.decode()
    assert "The side view has not been uploaded at the origin" in scans_page
    assert "the \u2068Bazargan\u2069 office should upload its side view" in scans_page


@pytest.mark.persian
def test_the_persian_summary_says_the_comparison_is_incomplete(
    client, departed, origin_clerk, dest_clerk, django_capture_on_commit_callbacks
):
    top_origin, top_dest = consistent_pair(25)
    side_origin, _side_dest = consistent_pair(26)
    upload(departed, Stage.ORIGIN, origin_clerk, top_origin, View.TOP)
    upload(departed, Stage.ORIGIN, origin_clerk, side_origin, View.SIDE)
    with django_capture_on_commit_callbacks(execute=True):
        upload(departed, Stage.DESTINATION, dest_clerk, top_dest, View.TOP, name="top.jpg")
    client.force_login(dest_clerk)
    page = client.get(reverse("declarations:detail", args=[departed.pk])).content.decode()
    summary = page.split("مقایسه تصاویر اسکن</dt>", 1)[1].split("</dd>", 1)[0]
    assert "منطبق" not in summary
    assert "نمای کناری در مقصد بارگذاری نشده؛ مقایسه ناقص است" in summary
    assert "نمای کناری را \u2068گمرک تهران\u2069 بارگذاری کند" in summary and "گمرک مقصد" not in summary
