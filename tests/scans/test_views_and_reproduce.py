"""Dual-view scanners (a top and a side view of one pass): each view is compared with the same
view, the declaration carries the combined verdict; every comparison records its algorithm
version and parameters, and ``scans_reproduce`` recomputes it from the stored images."""

import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from core.errors import InvalidInput
from declarations.models import Review, Verdict
from scans import services
from scans.comparison import ALGORITHM_VERSION, Params, params_from_dict, params_to_dict
from scans.models import Scan, ScanComparison, Stage, View
from tests.scans import images
from tests.scans.conftest import upload as upload_single
from tests.scans.test_comparison_job import generated_pair

pytestmark = pytest.mark.django_db


def upload(declaration, stage, by, data, view, name="scan.png"):
    (scan,) = services.scan_upload(
        declaration=declaration,
        stage=stage,
        scanner_id="DV-2",
        captured_at=timezone.now() - dt.timedelta(hours=1),
        files=[SimpleUploadedFile(name, data)],
        by=by,
        view=view,
    )
    return scan


def test_a_dual_view_pass_is_compared_view_with_view_and_any_suspicious_view_flags_it(
    client, departed, origin_clerk, dest_clerk, django_capture_on_commit_callbacks
):
    side_o, side_d, _ = generated_pair(1, tampered=False)  # the side view: untouched
    top_o, top_d, label = generated_pair(7, tampered=True)  # the top view shows the change
    with django_capture_on_commit_callbacks(execute=True):
        upload(departed, Stage.ORIGIN, origin_clerk, side_o, View.SIDE)
        upload(departed, Stage.ORIGIN, origin_clerk, top_o, View.TOP)
    with django_capture_on_commit_callbacks(execute=True):
        upload(departed, Stage.DESTINATION, dest_clerk, side_d, View.SIDE, name="side.jpg")
        upload(departed, Stage.DESTINATION, dest_clerk, top_d, View.TOP, name="top.jpg")
    comparisons = {c.view: c for c in ScanComparison.objects.select_related("origin_scan", "dest_scan")}
    assert set(comparisons) == {"side", "top"}
    for view, c in comparisons.items():
        assert c.origin_scan.view == c.dest_scan.view == view  # never a top view against a side view
        assert c.status == ScanComparison.Status.DONE, c.error
    assert comparisons["side"].verdict == "consistent"
    assert comparisons["top"].verdict == "suspicious"
    departed.refresh_from_db()
    assert departed.comparison_verdict == "suspicious" and departed.comparison_review == "pending"

    client.force_login(dest_clerk)
    page = client.get(reverse("scans:declaration", args=[departed.pk])).content.decode()
    assert 'data-combined="suspicious"' in page
    assert page.count('data-view="top"') >= 2 and page.count('data-view="side"') >= 2

    # reviews combine too: the suspicious top view accepted, the side view still pending -> pending
    services.comparison_review(
        comparison=comparisons["top"], by=dest_clerk, decision="accept", remark="بار را باز کردیم و دیدیم"
    )
    departed.refresh_from_db()
    assert departed.comparison_verdict == "suspicious" and departed.comparison_review == "pending"
    services.comparison_review(
        comparison=comparisons["side"], by=dest_clerk, decision="accept", remark="بار را باز کردیم و دیدیم"
    )
    departed.refresh_from_db()
    assert departed.comparison_review == "accepted"


def test_a_single_view_against_a_dual_view_side_is_refused_beside_the_view(departed, origin_clerk, dest_clerk):
    # origin: a dual-view scanner; the destination sends its image as a single view
    upload(departed, Stage.ORIGIN, origin_clerk, images.png(seed=1), View.SIDE)
    upload(departed, Stage.ORIGIN, origin_clerk, images.png(seed=4), View.TOP)
    with pytest.raises(InvalidInput) as refused:
        upload(departed, Stage.DESTINATION, dest_clerk, images.png(seed=2), View.SINGLE)
    assert "view" in refused.value.fields
    assert "origin scans of this declaration were taken by a dual-view scanner (top view, side view)" in str(
        refused.value
    )
    assert not Scan.objects.filter(stage=Stage.DESTINATION).exists()
    assert not ScanComparison.objects.exists()
    # each image with its view: each compared with the same view, the top view too
    upload(departed, Stage.DESTINATION, dest_clerk, images.png(seed=2), View.SIDE)
    upload(departed, Stage.DESTINATION, dest_clerk, images.png(seed=3), View.TOP)
    compared = ScanComparison.objects.select_related("origin_scan", "dest_scan")
    assert sorted((c.origin_scan.view, c.dest_scan.view) for c in compared) == [("side", "side"), ("top", "top")]

    # the other way round: the origin's single view, the destination's top or side view
    other = _other_declaration(departed, origin_clerk)
    upload(other, Stage.ORIGIN, origin_clerk, images.png(seed=5), View.SINGLE)
    for view in (View.TOP, View.SIDE):
        with pytest.raises(InvalidInput) as refused:
            upload(other, Stage.DESTINATION, dest_clerk, images.png(seed=6), view)
        assert "view" in refused.value.fields
        assert "origin scans of this declaration were taken by a single-view scanner (single view)" in str(
            refused.value
        )
    assert not Scan.objects.filter(declaration=other, stage=Stage.DESTINATION).exists()


@pytest.mark.persian
def test_the_upload_page_says_what_the_origin_has_beside_the_view(client, departed, origin_clerk, dest_clerk):
    upload(departed, Stage.ORIGIN, origin_clerk, images.png(seed=1), View.SIDE)
    upload(departed, Stage.ORIGIN, origin_clerk, images.png(seed=4), View.TOP)
    client.force_login(dest_clerk)
    response = client.post(
        reverse("scans:upload", args=[departed.pk]),
        {
            "stage": "destination",
            "view": "single",
            "scanner_id": "SV-1",
            "captured_at": (timezone.now() - dt.timedelta(hours=1)).isoformat(),
            "files": [SimpleUploadedFile("dest.png", images.png(seed=2))],
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    field = html.split('name="view"', 1)[1].split('<div class="mb-2', 1)[0]
    assert "دستگاه اسکن دونمایی" in field and "نمای بالا، نمای کناری" in field
    assert not Scan.objects.filter(stage=Stage.DESTINATION).exists()
    # the API says so too, naming the field
    api = APIClient()
    api.force_authenticate(dest_clerk)
    made = api.post(
        "/api/scans/",
        {
            "declaration": departed.pk,
            "stage": "destination",
            "scanner_id": "SV-1",
            "captured_at": (timezone.now() - dt.timedelta(hours=1)).isoformat(),
            "file": SimpleUploadedFile("dest.png", images.png(seed=2)),
        },
    )
    assert made.status_code == 400 and "view" in json.dumps(made.json())
    assert not Scan.objects.filter(stage=Stage.DESTINATION).exists()


def test_a_top_view_with_no_top_view_on_the_other_side_is_kept_uncompared(departed, origin_clerk, dest_clerk):
    upload(departed, Stage.ORIGIN, origin_clerk, images.png(seed=5), View.SIDE)
    upload(departed, Stage.DESTINATION, dest_clerk, images.png(seed=6), View.TOP)
    assert not ScanComparison.objects.exists()  # never a top view against a side view


def _other_declaration(departed, clerk):
    from declarations import services as declaration_services
    from tests.factories import DeclarationFactory

    other = DeclarationFactory(origin=departed.origin, destination=departed.destination)
    declaration_services.declaration_depart(declaration=other, by=clerk, at=timezone.now() - dt.timedelta(hours=30))
    other.refresh_from_db()
    return other


def _done(view: str, verdict: str, review: str = Review.PENDING, status: str = "done") -> ScanComparison:
    return ScanComparison(view=view, verdict=verdict, review=review, status=status)


def test_combined_outcome_rules():
    combine = services.combined_outcome
    assert combine([_done("top", Verdict.CONSISTENT), _done("side", Verdict.SUSPICIOUS)])[0] == "suspicious"
    assert combine([_done("top", Verdict.UNREGISTERED), _done("side", Verdict.CONSISTENT)])[0] == "unregistered"
    assert combine([_done("top", Verdict.UNREGISTERED), _done("side", Verdict.SUSPICIOUS)])[0] == "suspicious"
    assert combine([_done("top", Verdict.CONSISTENT), _done("side", Verdict.CONSISTENT)])[0] == "consistent"
    # a view still running does not count yet; none finished: nothing to say
    assert combine([_done("top", Verdict.CONSISTENT), _done("side", "", status="running")]) == ("consistent", "pending")
    assert combine([_done("top", "", status="queued")]) is None
    both_accepted = [_done("top", Verdict.SUSPICIOUS, Review.ACCEPTED), _done("side", Verdict.CONSISTENT, "accepted")]
    assert combine(both_accepted) == ("suspicious", "accepted")
    escalated = [_done("top", Verdict.SUSPICIOUS, Review.ESCALATED), _done("side", Verdict.CONSISTENT, "pending")]
    assert combine(escalated)[1] == "escalated"


def test_the_view_comes_through_the_form_and_the_api(client, departed, origin_clerk):
    client.force_login(origin_clerk)
    response = client.post(
        reverse("scans:upload", args=[departed.pk]),
        {
            "stage": "origin",
            "view": "top",
            "scanner_id": "DV-2",
            "captured_at": (timezone.now() - dt.timedelta(hours=2)).isoformat(),
            "files": [SimpleUploadedFile("top.png", images.png(seed=8))],
        },
    )
    assert response.status_code == 302
    page = client.get(reverse("scans:declaration", args=[departed.pk])).content.decode()
    assert 'name="view"' in page and 'data-view="top"' in page
    api = APIClient()
    api.force_authenticate(origin_clerk)
    body = {
        "declaration": departed.pk,
        "stage": "origin",
        "scanner_id": "DV-2",
        "captured_at": (timezone.now() - dt.timedelta(hours=2)).isoformat(),
    }
    made = api.post("/api/scans/", {**body, "view": "side", "file": SimpleUploadedFile("s.png", images.png(9))})
    assert made.status_code == 201 and made.json()["view"] == "side"
    default = api.post("/api/scans/", {**body, "file": SimpleUploadedFile("d.png", images.png(10))})
    assert default.status_code == 201 and default.json()["view"] == "single"
    bad = api.post("/api/scans/", {**body, "view": "front", "file": SimpleUploadedFile("f.png", images.png(11))})
    assert bad.status_code == 400 and "view" in json.dumps(bad.json())


def test_params_round_trip_and_unknown_names_are_reported():
    p = Params(ZSEED=3.0)
    back, unknown, missing = params_from_dict(params_to_dict(p))
    assert back == p and unknown == [] and missing == []
    stored = {**params_to_dict(Params()), "RETIRED": 1.0}
    del stored["ZLOW"]
    back, unknown, missing = params_from_dict(stored)
    assert unknown == ["RETIRED"] and missing == ["ZLOW"] and back.ZLOW == Params().ZLOW


def test_a_comparison_records_its_algorithm_and_is_reproduced_from_the_stored_images(
    departed, origin_clerk, dest_clerk, django_capture_on_commit_callbacks, capsys
):
    origin_png, dest_jpg, _ = generated_pair(7, tampered=True)
    with django_capture_on_commit_callbacks(execute=True):
        upload_single(departed, Stage.ORIGIN, origin_clerk, origin_png)
    with django_capture_on_commit_callbacks(execute=True):
        upload_single(departed, Stage.DESTINATION, dest_clerk, dest_jpg, name="dest.jpg")
    comparison = ScanComparison.objects.get()
    assert comparison.verdict == "suspicious"
    assert comparison.algorithm_version == ALGORITHM_VERSION
    assert params_from_dict(comparison.algorithm_params)[0] == Params()

    call_command("scans_reproduce", comparison.pk)
    assert f"comparison {comparison.pk} matches" in capsys.readouterr().out

    # the viewer shows the reviewer (and a court's expert) what produced the verdict and how to recompute it
    client = Client()
    client.force_login(dest_clerk)
    html = client.get(reverse("scans:viewer", args=[comparison.pk])).content.decode()
    params = html.split('class="table table-sm algorithm-params"', 1)[1].split("</table>", 1)[0]
    assert f"<code>ZSEED</code></th><td><code>{Params().ZSEED}</code>" in params
    assert params.count("<tr>") == len(comparison.algorithm_params)
    assert f"python manage.py scans_reproduce {comparison.pk}" in html

    # the verdict stored with other parameters than the ones recorded is caught
    ScanComparison.objects.filter(pk=comparison.pk).update(
        algorithm_params={**comparison.algorithm_params, "ZSEED": 50.0, "LP_ZSEED": 50.0}
    )
    with pytest.raises(CommandError, match="does NOT match"):
        call_command("scans_reproduce", comparison.pk, "--json")
    outcome = json.loads(capsys.readouterr().out)
    assert outcome["matches"] is False and outcome["stored"]["verdict"] == "suspicious"
    assert outcome["recomputed"]["score"] != outcome["stored"]["score"]

    # a stored image that changed since upload is not compared at all
    scan = comparison.dest_scan
    with scan.original.open("wb") as fh:
        fh.write(images.jpeg(seed=3))
    with pytest.raises(CommandError, match="file changed since upload"):
        call_command("scans_reproduce", comparison.pk)


@pytest.mark.persian
def test_the_algorithm_version_reads_as_the_code_it_is_in_a_persian_page(client, done_comparison, dest_clerk):
    """«نسخه الگوریتم 2026.12.05»: the version is the code's own (``ALGORITHM_VERSION``, the one
    ``scans_reproduce`` compares), so it stays in Latin digits, set as code left to right like the
    command and the parameters under it, not in Persian digits a reader would take for a date."""
    ScanComparison.objects.filter(pk=done_comparison.pk).update(algorithm_version=ALGORITHM_VERSION)
    client.force_login(dest_clerk)
    html = client.get(reverse("scans:viewer", args=[done_comparison.pk])).content.decode()
    summary = html.split('class="algorithm-version"', 1)[1].split("</summary>", 1)[0]
    assert f'<code dir="ltr" class="algorithm-version-id">{ALGORITHM_VERSION}</code>' in summary
    assert ALGORITHM_VERSION.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")) not in html


def test_the_viewer_says_a_scan_was_uploaded_as_pseudo_colour(client, done_comparison, dest_clerk):
    Scan.objects.filter(pk=done_comparison.dest_scan_id).update(pseudo_colour=True)
    client.force_login(dest_clerk)
    html = client.get(reverse("scans:viewer", args=[done_comparison.pk])).content.decode()
    origin, dest = (part.split("</figcaption>", 1)[0] for part in html.split("<figure><figcaption>")[1:3])
    assert "data-pseudo-colour" not in origin
    assert "data-pseudo-colour" in dest and "dual-energy pseudo-colour" in dest
