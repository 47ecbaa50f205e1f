"""Origin and destination uploads start the comparison job; its result reaches the summary,
the dashboard signal and the declaration's timeline."""

import numpy as np
import pytest
from django.urls import reverse

from declarations import hooks, monitoring
from declarations.models import TransitDeclaration
from scans import services
from scans.benchmark.pairs import make_pair, synthetic_scan
from scans.models import ScanComparison, Stage
from tests.scans import images
from tests.scans.conftest import upload

pytestmark = pytest.mark.django_db


def generated_pair(seed: int, tampered: bool):
    rng = np.random.default_rng(seed)
    src = synthetic_scan(rng, 640, 240)
    origin, dest_jpeg, label = make_pair(src, rng, tampered=tampered, kind="remove" if tampered else None)
    return images.encode(origin, "PNG"), dest_jpeg, label


def upload_pair(declaration, origin_clerk, dest_clerk, capture, seed, tampered):
    origin_png, dest_jpg, label = generated_pair(seed, tampered)
    with capture(execute=True):
        upload(declaration, Stage.ORIGIN, origin_clerk, origin_png)
    assert ScanComparison.objects.count() == 0  # one side only: nothing to compare yet
    with capture(execute=True):
        upload(declaration, Stage.DESTINATION, dest_clerk, dest_jpg, name="dest.jpg")
    return label


def test_it_compares_a_tampered_pair_end_to_end(
    client, departed, origin_clerk, dest_clerk, inspector, django_capture_on_commit_callbacks
):
    label = upload_pair(departed, origin_clerk, dest_clerk, django_capture_on_commit_callbacks, 7, True)
    comparison = ScanComparison.objects.get()
    assert comparison.status == ScanComparison.Status.DONE, comparison.error
    assert comparison.verdict == "suspicious"
    assert comparison.review == "pending"
    assert comparison.heatmap and comparison.threshold and comparison.timings["compare_s"] > 0
    # The best box overlaps the tampered region (boxes are origin pixels).
    x, y, w, h, _score = comparison.boxes[0]
    bx, by, bw, bh = label["box"]
    assert x < bx + bw and bx < x + w and y < by + bh and by < y + h

    departed.refresh_from_db()
    assert departed.comparison_verdict == "suspicious" and departed.comparison_review == "pending"
    assert departed.origin_scan_at is not None and departed.dest_scan_at is not None
    flagged = monitoring.filter_signal(TransitDeclaration.objects.for_user(inspector), "scan_suspicious")
    assert list(flagged) == [departed]

    items = [i for p in hooks.timeline_providers for i in p(departed, inspector)]
    kinds = [i.kind for i in items]
    assert kinds.count("scan") == 2
    cmp_item = next(i for i in items if i.kind == "comparison")
    assert cmp_item.severity == "danger" and cmp_item.url == reverse("scans:viewer", args=[comparison.pk])

    client.force_login(dest_clerk)
    page = client.get(cmp_item.url).content.decode()
    assert 'id="scan-viewer"' in page and "data-boxes=" in page and str(comparison.boxes[0][0]) in page
    assert client.get(reverse("scans:heatmap", args=[comparison.pk])).status_code == 200


def test_an_untouched_pair_is_consistent(departed, origin_clerk, dest_clerk, django_capture_on_commit_callbacks):
    upload_pair(departed, origin_clerk, dest_clerk, django_capture_on_commit_callbacks, 1, False)
    comparison = ScanComparison.objects.get()
    assert comparison.verdict == "consistent", comparison.details
    departed.refresh_from_db()
    assert departed.comparison_verdict == "consistent"


def test_running_the_job_twice_does_the_work_once(departed, origin_clerk, dest_clerk):
    upload(departed, Stage.ORIGIN, origin_clerk)
    upload(departed, Stage.DESTINATION, dest_clerk, images.png(seed=2))
    comparison = ScanComparison.objects.get()  # queued; on_commit never fires in this test
    first = services.comparison_run(comparison_id=comparison.pk)
    finished = first.finished_at
    second = services.comparison_run(comparison_id=comparison.pk)
    assert first.status == second.status == ScanComparison.Status.DONE
    assert second.finished_at == finished


def test_a_new_destination_scan_queues_a_new_pair_and_the_summary_follows_the_newest(
    departed, origin_clerk, dest_clerk, monkeypatch
):
    import scans.comparison
    from scans.comparison import ComparisonResult

    upload(departed, Stage.ORIGIN, origin_clerk)
    upload(departed, Stage.DESTINATION, dest_clerk, images.png(seed=2))
    upload(departed, Stage.DESTINATION, dest_clerk, images.png(seed=3))
    older, newer = ScanComparison.objects.order_by("created_at", "id")
    assert older.dest_scan_id != newer.dest_scan_id and older.origin_scan_id == newer.origin_scan_id
    verdicts = iter(["consistent", "suspicious"])
    monkeypatch.setattr(
        scans.comparison,
        "compare_scans",
        lambda o, d, **kw: ComparisonResult(0.0, next(verdicts), True, [], None, {}),
    )
    services.comparison_run(comparison_id=newer.pk)  # consistent
    services.comparison_run(comparison_id=older.pk)  # suspicious, but stale: not the summary
    departed.refresh_from_db()
    assert departed.comparison_verdict == "consistent"


def test_a_failed_job_is_recorded_not_raised(departed, origin_clerk, dest_clerk, monkeypatch):
    upload(departed, Stage.ORIGIN, origin_clerk)
    upload(departed, Stage.DESTINATION, dest_clerk, images.png(seed=2))
    import scans.comparison

    def broken(*a, **k):
        raise RuntimeError("engine exploded")

    monkeypatch.setattr(scans.comparison, "compare_scans", broken)
    result = services.comparison_run(comparison_id=ScanComparison.objects.get().pk)
    assert result.status == ScanComparison.Status.FAILED and "exploded" in result.error
    departed.refresh_from_db()
    assert departed.comparison_verdict == ""
