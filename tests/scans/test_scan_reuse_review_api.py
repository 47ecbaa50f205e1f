"""The reviews of a reused scan through the API: read by whoever sees the scan (as its page shows them), recorded
by headquarters or the province's inspector (as on the page), a decision revised by a new review naming the one
that counts."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import Role
from declarations import monitoring
from declarations.models import TransitDeclaration
from scans.models import ScanReuseReview, Stage
from tests.factories import DeclarationFactory, ProvinceFactory, UserFactory
from tests.scans import images
from tests.scans.conftest import upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def reused(bazargan, tehran, sarakhs, origin_clerk):
    first = DeclarationFactory(origin=bazargan, destination=tehran, serial="1405-BZG-90000001")
    other_truck = DeclarationFactory(origin=bazargan, destination=sarakhs, serial="1405-BZG-90000002")
    data = images.png(41)
    upload(first, Stage.ORIGIN, origin_clerk, data)
    return upload(other_truck, Stage.ORIGIN, origin_clerk, data)


def _api(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def _flagged() -> bool:
    return monitoring.filter_signal(TransitDeclaration.objects.all(), "scan_reused").exists()


def test_the_inspector_reviews_then_revises_and_both_are_read_back(reused, inspector, origin_clerk):
    url = reverse("scans-api-reuse-reviews", args=[reused.pk])
    api = _api(inspector)
    assert api.get(url).json() == []

    created = api.post(url, {"decision": "confirmed"}, format="json")
    assert created.status_code == 201, created.content
    first = created.json()
    assert (first["scan"], first["decision"], first["by_id"], first["supersedes"], first["current"]) == (
        reused.pk,
        "confirmed",
        inspector.pk,
        None,
        True,
    )
    assert _flagged()

    # Reviewed again without naming the review that counts: refused, as a stale page form is.
    again = api.post(url, {"decision": "explained", "note": "an honest re-upload"}, format="json")
    assert again.status_code == 409 and "already reviewed" in again.json()["error"]["message"]
    # Without a note saying why: refused beside the note.
    bare = api.post(url, {"decision": "confirmed", "supersedes": first["id"]}, format="json")
    assert bare.status_code == 400 and "note" in bare.json()["error"]["fields"]

    why = "The scanner's log shows the truck scanned; the clerk uploaded the wrong file."
    revised = api.post(url, {"decision": "explained", "note": why, "supersedes": first["id"]}, format="json")
    assert revised.status_code == 201, revised.content
    assert (revised.json()["supersedes"], revised.json()["current"]) == (first["id"], True)
    assert not _flagged()

    # Whoever sees the scan reads the history, oldest first, the latest counting.
    listed = _api(origin_clerk).get(url)
    assert listed.status_code == 200
    assert [(r["decision"], r["current"]) for r in listed.json()] == [("confirmed", False), ("explained", True)]
    assert ScanReuseReview.objects.count() == 2


def test_only_headquarters_and_the_provinces_inspectors_record_one(reused, origin_clerk, hq):
    fars = ProvinceFactory(code="FRS", name_fa="فارس", name_en="Fars")
    outsider = UserFactory(username="fars_inspector", role=Role.INSPECTOR, province=fars)
    url = reverse("scans-api-reuse-reviews", args=[reused.pk])
    body = {"decision": "confirmed"}
    assert _api(origin_clerk).post(url, body, format="json").status_code == 403
    assert _api(outsider).post(url, body, format="json").status_code == 404  # Fars sees nothing of it
    assert _api(outsider).get(url).status_code == 404
    assert not ScanReuseReview.objects.exists()
    assert _api(hq).post(url, body, format="json").status_code == 201
    assert APIClient().get(url).status_code == 401


def test_a_review_names_its_reviewer_and_the_scan_list_says_which_scans_are_reused(reused, hq, origin_clerk):
    """``by`` was the reviewer's user id (3), and a client called reuse-reviews/ for every scan to learn which were
    reused: a review names the person, and each scan in /api/scans/ says whether it is a reuse and how it stands."""
    hq.first_name, hq.last_name = "سارا", "موسوی"
    hq.save()
    api = _api(origin_clerk)

    def reuse_of_each():
        return {row["id"]: row["reuse"] for row in api.get("/api/scans/").json()["results"]}

    first = reused.repeats_scan
    assert reuse_of_each() == {first: None, reused.pk: {"repeats_scan": first, "review": "pending"}}
    url = reverse("scans-api-reuse-reviews", args=[reused.pk])
    assert _api(hq).post(url, {"decision": "confirmed"}, format="json").status_code == 201
    (review,) = api.get(url).json()
    assert (review["by"], review["by_id"]) == ("سارا موسوی", hq.pk)
    assert reuse_of_each()[reused.pk] == {"repeats_scan": first, "review": "confirmed"}
    assert api.get(reverse("scans-api-detail", args=[reused.pk])).json()["reuse"]["review"] == "confirmed"


def test_a_missing_note_is_named_as_the_other_fields_are(reused, inspector):
    """«note: …» as any field's message begins with its name; it came without it, from the service."""
    url = reverse("scans-api-reuse-reviews", args=[reused.pk])
    error = _api(inspector).post(url, {"decision": "explained"}, format="json").json()["error"]
    assert error["message"] == "note: An explained reuse needs a note saying how it is explained."
    assert error["fields"] == {"note": ["An explained reuse needs a note saying how it is explained."]}
    assert not ScanReuseReview.objects.exists()
