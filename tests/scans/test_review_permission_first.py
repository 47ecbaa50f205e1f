"""A comparison's review by someone who may not review it is refused (403) before its fields are checked: it
asked for a decision first (400), then said the user may not send one (tests/core/test_api_permission_first.py)."""

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def test_a_comparison_review_is_refused_before_its_fields(done_comparison, origin_clerk):
    api = APIClient()
    api.force_authenticate(origin_clerk)
    response = api.post(f"/api/scans/comparisons/{done_comparison.pk}/review/", {}, format="json")
    assert response.status_code == 403, response.content
    assert response.json()["error"]["code"] == "forbidden"
