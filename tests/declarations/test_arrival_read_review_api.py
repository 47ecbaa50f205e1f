"""The reviews of an arrival without plate read through the API: read by whoever sees the declaration, recorded
by the destination office's staff, an explanation doubted by the province's inspector (others 403 before the body), a decision revised
by a new review naming the one that counts."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from declarations import monitoring
from declarations.models import ArrivalReadReview, TransitDeclaration
from declarations.services import declaration_confirm_arrival, declaration_depart

pytestmark = pytest.mark.django_db

NOTE = "The lane camera was under maintenance that morning; the gate log shows the truck at 09:40."


@pytest.fixture
def arrived(declaration):
    declaration_depart(declaration=declaration, by=None, at=timezone.now() - dt.timedelta(hours=20))
    declaration.refresh_from_db()
    declaration_confirm_arrival(declaration=declaration, by=None, at=timezone.now() - dt.timedelta(hours=1))
    return TransitDeclaration.objects.get(pk=declaration.pk)


def _api(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def _flagged(declaration) -> bool:
    qs = monitoring.filter_signal(TransitDeclaration.objects.all(), "arrival_without_read")
    return qs.filter(pk=declaration.pk).exists()


def _signals(user, declaration) -> list[str]:
    return _api(user).get(reverse("api-declaration-detail", args=[declaration.pk])).json()["signals"]


def test_a_review_and_its_revision_round_trip(arrived, dest_clerk, inspector, hq):
    url = reverse("api-declaration-arrival-read-reviews", args=[arrived.pk])
    assert url == f"/api/declarations/{arrived.pk}/arrival-read-reviews/"
    assert _api(dest_clerk).get(url).json() == []
    assert "arrival_without_read" in _signals(dest_clerk, arrived)

    created = _api(dest_clerk).post(url, {"reason": "camera_down", "note": NOTE}, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["reason"], body["explains"], body["note"], body["by_id"], body["current"]) == (
        "camera_down",
        True,
        NOTE,
        dest_clerk.pk,
        True,
    )
    assert body["supersedes"] is None and body["by"] == dest_clerk.get_full_name()
    assert not _flagged(arrived) and "arrival_without_read" not in _signals(inspector, arrived)
    detail = _api(inspector).get(reverse("api-declaration-detail", args=[arrived.pk])).json()
    assert detail["arrival_read_explained"] is True

    again = _api(dest_clerk).post(
        url, {"reason": "refer", "note": "No maintenance was logged that day."}, format="json"
    )
    assert again.status_code == 409 and "already reviewed" in again.json()["error"]["message"]

    revised = _api(inspector).post(
        url, {"reason": "refer", "note": "No maintenance was logged that day.", "supersedes": body["id"]}, format="json"
    )
    assert revised.status_code == 201, revised.content
    assert revised.json()["explains"] is False and revised.json()["supersedes"] == body["id"]
    assert _flagged(arrived) and "arrival_without_read" in _signals(hq, arrived)

    listed = _api(hq).get(url).json()  # headquarters read them
    assert [(r["id"], r["reason"], r["current"]) for r in listed] == [
        (body["id"], "camera_down", False),
        (revised.json()["id"], "refer", True),
    ]
    assert ArrivalReadReview.objects.count() == 2


def test_others_are_refused_before_the_body_and_a_short_note_is_named(arrived, origin_clerk, hq, outsider, dest_clerk):
    url = reverse("api-declaration-arrival-read-reviews", args=[arrived.pk])
    for user in (origin_clerk, hq):
        refused = _api(user).post(url, {}, format="json")
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden", user
    assert _api(outsider).get(url).status_code == 404
    assert APIClient().get(url).status_code == 401

    short = _api(dest_clerk).post(url, {"reason": "other", "note": " too short "}, format="json")
    assert short.status_code == 400
    assert short.json()["error"]["fields"] == {
        "note": [
            "Write a note of at least 10 letters or digits saying what you found (punctuation marks are not counted)."
        ]
    }
    bad_outage = _api(dest_clerk).post(url, {"reason": "other", "note": NOTE, "outage": "camera:1"}, format="json")
    assert bad_outage.status_code == 400 and "outage" in bad_outage.json()["error"]["fields"]
    assert not ArrivalReadReview.objects.exists() and _flagged(arrived)


def test_a_camera_out_of_service_left_unnamed_names_the_problem_open_then(arrived, dest_clerk, tehran):
    from reports.models import SystemProblem

    problem = SystemProblem.objects.create(
        system="anpr",
        symptom="unavailable",
        office=tehran,
        since=arrived.arrived_at - dt.timedelta(hours=2),
        description="The entry camera sends no pictures.",
    )
    url = reverse("api-declaration-arrival-read-reviews", args=[arrived.pk])
    created = _api(dest_clerk).post(url, {"reason": "camera_down", "note": NOTE}, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["outage_ref"] == f"problem:{problem.pk}"
    assert created.json()["outage"].startswith(f"system problem no. {problem.pk}:")


def test_options_describes_the_reviews_body_and_a_bad_reason_lists_the_values(arrived, dest_clerk):
    url = reverse("api-declaration-arrival-read-reviews", args=[arrived.pk])
    described = _api(dest_clerk).options(url).json()["actions"]["POST"]
    assert {"reason", "note", "supersedes", "outage"} <= set(described)
    assert "serial" not in described and "destination" not in described

    api = _api(dest_clerk)
    api.credentials(HTTP_ACCEPT_LANGUAGE="fa")
    refused = api.post(url, {"reason": "bogus", "note": NOTE}, format="json")
    assert refused.status_code == 400
    message = str(refused.json())
    assert "bogus" in message and "camera_down" in message and "refer" in message
    assert not ArrivalReadReview.objects.exists()
