"""The destination reviews a comparison: accept, or escalate with a remark."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from declarations import monitoring
from declarations.models import DeclarationEvent, TransitDeclaration
from scans.models import ScanComparison

pytestmark = pytest.mark.django_db


def review_url(c):
    return reverse("scans:review", args=[c.pk])


def test_the_destination_clerk_accepts(client, done_comparison, dest_clerk, inspector):
    client.force_login(dest_clerk)
    page = client.get(reverse("scans:viewer", args=[done_comparison.pk])).content.decode()
    assert 'action="' + review_url(done_comparison) in page
    response = client.post(review_url(done_comparison), {"decision": "accept", "remark": "بار را باز کردیم و دیدیم"})
    assert response.status_code == 302
    done_comparison.refresh_from_db()
    assert done_comparison.review == "accepted" and done_comparison.reviewed_by == dest_clerk
    declaration = done_comparison.declaration
    declaration.refresh_from_db()
    assert declaration.comparison_review == "accepted"
    # An accepted suspicious verdict leaves the dashboard lists.
    scoped = TransitDeclaration.objects.for_user(inspector)
    assert not monitoring.filter_signal(scoped, "scan_suspicious").exists()
    assert not monitoring.filter_signal(scoped, "scan_not_reviewed").exists()
    assert DeclarationEvent.objects.filter(
        declaration=declaration, kind="scan_review_accept", actor=dest_clerk
    ).exists()


def test_escalating_needs_a_remark(client, done_comparison, dest_clerk):
    client.force_login(dest_clerk)
    response = client.post(review_url(done_comparison), {"decision": "escalate", "remark": "  "})
    assert response.status_code == 400
    assert "remark" in response.content.decode().lower() or "ملاحظ" in response.content.decode()
    done_comparison.refresh_from_db()
    assert done_comparison.review == "pending"


def test_the_destination_clerk_escalates_with_a_remark(client, done_comparison, dest_clerk, inspector):
    client.force_login(dest_clerk)
    response = client.post(review_url(done_comparison), {"decision": "escalate", "remark": "پالت‌ها کم است"})
    assert response.status_code == 302
    done_comparison.refresh_from_db()
    assert done_comparison.review == "escalated" and done_comparison.review_remark == "پالت‌ها کم است"
    declaration = TransitDeclaration.objects.get(pk=done_comparison.declaration_id)
    assert declaration.comparison_review == "escalated"
    assert monitoring.filter_signal(TransitDeclaration.objects.for_user(inspector), "scan_suspicious").exists()
    event = DeclarationEvent.objects.get(declaration=declaration, kind="scan_review_escalate")
    assert "پالت‌ها کم است" in event.message
    client.force_login(inspector)
    assert "پالت‌ها کم است" in client.get(reverse("scans:viewer", args=[done_comparison.pk])).content.decode()


@pytest.mark.parametrize(
    ("persona", "status"), [("origin_clerk", 403), ("inspector", 403), ("hq", 403), ("outsider", 404)]
)
def test_only_destination_staff_may_review(client, request, done_comparison, persona, status):
    client.force_login(request.getfixturevalue(persona))
    response = client.post(review_url(done_comparison), {"decision": "accept"})
    assert response.status_code == status
    done_comparison.refresh_from_db()
    assert done_comparison.review == "pending" and done_comparison.reviewed_by is None


def test_a_review_is_final(client, done_comparison, dest_clerk):
    client.force_login(dest_clerk)
    client.post(review_url(done_comparison), {"decision": "accept", "remark": "بار را باز کردیم و دیدیم"})
    response = client.post(review_url(done_comparison), {"decision": "escalate", "remark": "دوباره"})
    assert response.status_code == 400
    done_comparison.refresh_from_db()
    assert done_comparison.review == "accepted"


def test_a_queued_comparison_cannot_be_reviewed(done_comparison, dest_clerk):
    ScanComparison.objects.filter(pk=done_comparison.pk).update(status="queued", review="")
    api = APIClient()
    api.force_authenticate(dest_clerk)
    response = api.post(f"/api/scans/comparisons/{done_comparison.pk}/review/", {"decision": "accept"})
    assert response.status_code == 409
    assert "no result" in response.json()["error"]["message"]


def test_the_api_reviews_and_names_the_missing_remark(done_comparison, dest_clerk, origin_clerk):
    api = APIClient()
    api.force_authenticate(origin_clerk)
    assert api.post(f"/api/scans/comparisons/{done_comparison.pk}/review/", {"decision": "accept"}).status_code == 403
    api.force_authenticate(dest_clerk)
    response = api.post(f"/api/scans/comparisons/{done_comparison.pk}/review/", {"decision": "escalate"})
    assert response.status_code == 400 and "remark" in response.json()["error"]["fields"]
    response = api.post(
        f"/api/scans/comparisons/{done_comparison.pk}/review/", {"decision": "escalate", "remark": "seal broken"}
    )
    assert response.status_code == 200 and response.json()["review"] == "escalated"
    body = api.get(f"/api/scans/comparisons/{done_comparison.pk}/").json()
    assert body["boxes"] == [[10, 20, 30, 40, 0.02]] and body["verdict"] == "suspicious"


@pytest.mark.persian
def test_the_viewer_warns_when_the_load_is_too_dense_to_compare(client, done_comparison, dest_clerk):
    """A 'consistent' verdict says nothing about cargo neither scanner could see through."""
    client.force_login(dest_clerk)
    url = reverse("scans:viewer", args=[done_comparison.pk])
    assert "data-saturated" not in client.get(url).content.decode()
    done_comparison.details = {**(done_comparison.details or {}), "saturated_share": 0.034}
    done_comparison.save(update_fields=["details"])
    assert "data-saturated" not in client.get(url).content.decode()  # below the 10 % default
    done_comparison.details["saturated_share"] = 0.374
    done_comparison.save(update_fields=["details"])
    page = client.get(url).content.decode()
    assert 'data-saturated="37"' in page and "۳۷٪ از بار" in page  # Persian, Persian digits
