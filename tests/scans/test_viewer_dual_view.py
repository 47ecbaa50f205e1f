"""The viewer of one view of a dual-view pass gives the pass's verdict and leads to the other view."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from declarations.models import Review, Verdict
from scans import services
from scans.models import ScanComparison, Stage, View
from tests.scans import images

pytestmark = pytest.mark.django_db


def upload(declaration, stage, by, seed, view):
    services.scan_upload(
        declaration=declaration,
        stage=stage,
        scanner_id="DV-2",
        captured_at=timezone.now() - dt.timedelta(hours=1),
        files=[SimpleUploadedFile(f"{view}-{seed}.png", images.png(seed=seed))],
        by=by,
        view=view,
    )


def finish(comparison, verdict):
    comparison.status = ScanComparison.Status.DONE
    comparison.verdict = verdict
    comparison.score = 0.01 if verdict == Verdict.SUSPICIOUS else 0.0
    comparison.threshold = 0.004
    comparison.review = Review.PENDING
    comparison.finished_at = timezone.now()
    comparison.save()


def test_the_consistent_top_view_shows_the_suspicious_pass_and_links_the_side_view(
    client, departed, origin_clerk, dest_clerk
):
    for seed, view in ((1, View.TOP), (2, View.SIDE)):
        upload(departed, Stage.ORIGIN, origin_clerk, seed, view)
        upload(departed, Stage.DESTINATION, dest_clerk, seed + 10, view)
    by_view = {c.view: c for c in ScanComparison.objects.all()}
    finish(by_view["top"], Verdict.CONSISTENT)
    finish(by_view["side"], Verdict.SUSPICIOUS)

    client.force_login(dest_clerk)
    page = client.get(reverse("scans:viewer", args=[by_view["top"].pk])).content.decode()
    assert 'data-combined="suspicious"' in page  # the pass, not only this view
    side_url = reverse("scans:viewer", args=[by_view["side"].pk])
    assert f'href="{side_url}" data-other-view="side"' in page
    assert "side view: suspicious" in page


def test_a_single_view_comparison_shows_no_combined_line(client, done_comparison, dest_clerk):
    client.force_login(dest_clerk)
    page = client.get(reverse("scans:viewer", args=[done_comparison.pk])).content.decode()
    assert "data-combined" not in page and "data-other-view" not in page


def test_the_viewer_says_which_view_each_image_is(client, departed, origin_clerk, dest_clerk):
    for seed, view in ((3, View.TOP), (4, View.SIDE)):
        upload(departed, Stage.ORIGIN, origin_clerk, seed, view)
    upload(departed, Stage.DESTINATION, dest_clerk, 13, View.TOP)
    top = ScanComparison.objects.get(view=View.TOP)
    finish(top, Verdict.CONSISTENT)

    client.force_login(dest_clerk)
    page = client.get(reverse("scans:viewer", args=[top.pk])).content.decode()
    origin_caption, dest_caption = (part.split("</figcaption>", 1)[0] for part in page.split("<figcaption>")[1:3])
    assert "Origin" in origin_caption and 'data-view="top"' in origin_caption and "top view" in origin_caption
    assert "Destination" in dest_caption and 'data-view="top"' in dest_caption and "top view" in dest_caption


def test_the_viewer_says_a_single_view_is_one(client, done_comparison, dest_clerk):
    client.force_login(dest_clerk)
    page = client.get(reverse("scans:viewer", args=[done_comparison.pk])).content.decode()
    captions = [part.split("</figcaption>", 1)[0] for part in page.split("<figcaption>")[1:3]]
    assert all('data-view="single"' in c and "single view" in c for c in captions)


def test_the_declarations_timeline_names_each_view(client, departed, origin_clerk, dest_clerk):
    """The walk read two «Destination scan» lines and two «Scan comparison: consistent» lines alike, one accepted
    and one escalated, with nothing saying which view each was."""
    from scans import panels

    for seed, view in ((1, View.TOP), (2, View.SIDE)):
        upload(departed, Stage.ORIGIN, origin_clerk, seed, view)
        upload(departed, Stage.DESTINATION, dest_clerk, seed + 10, view)
    for comparison in ScanComparison.objects.all():
        finish(comparison, Verdict.CONSISTENT)
    departed.refresh_from_db()
    titles = sorted(str(item.title) for item in panels.timeline_items(departed, dest_clerk))
    assert titles == [
        "Destination scan (side view)",
        "Destination scan (top view)",
        "Origin scan (side view)",
        "Origin scan (top view)",
        "Scan comparison: consistent (side view)",
        "Scan comparison: consistent (top view)",
    ]


def test_a_single_view_scan_is_named_as_before(done_comparison, dest_clerk):
    from declarations.models import TransitDeclaration
    from scans import panels

    declaration = TransitDeclaration.objects.get(pk=done_comparison.declaration_id)
    titles = {str(item.title) for item in panels.timeline_items(declaration, dest_clerk)}
    assert "Destination scan" in titles and not any("view)" in t for t in titles)
