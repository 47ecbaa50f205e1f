"""A review remark is capped as other notes are (2,000 characters), beside the remark on the page and named in
the API: a 20,000-character remark was taken. The flagged comparison's help names the remark by its label."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tests.scans.test_flagged_accept_reason import _remark_errors

pytestmark = pytest.mark.django_db
LONG = "بار را باز کردیم و همان کالا بود. " * 600  # some 20,000 characters


def test_a_very_long_remark_is_refused_beside_the_remark(client, done_comparison, dest_clerk):
    client.force_login(dest_clerk)
    response = client.post(reverse("scans:review", args=[done_comparison.pk]), {"decision": "accept", "remark": LONG})
    assert response.status_code == 400
    errors = _remark_errors(response.content.decode())
    # Only the length: «at least ten letters» under «at most 2,000» contradicted it (a walk, 2026-12-07).
    assert len(errors) == 1 and "2000" in errors[0].replace(",", ""), errors
    done_comparison.refresh_from_db()
    assert done_comparison.review == "pending" and done_comparison.review_remark == ""


def test_the_api_refuses_a_very_long_remark_naming_it(done_comparison, dest_clerk):
    api = APIClient()
    api.force_authenticate(dest_clerk)
    url = f"/api/scans/comparisons/{done_comparison.pk}/review/"
    response = api.post(url, {"decision": "accept", "remark": LONG}, format="json")
    assert response.status_code == 400 and "remark" in response.json()["error"]["fields"]
    done_comparison.refresh_from_db()
    assert done_comparison.review == "pending"
    assert api.post(url, {"decision": "accept", "remark": LONG[:1990]}, format="json").status_code == 200


@pytest.mark.persian
def test_the_help_names_the_remark_by_its_label(client, done_comparison, dest_clerk):
    client.force_login(dest_clerk)
    page = client.get(reverse("scans:viewer", args=[done_comparison.pk])).content.decode()
    label = page.split('name="remark"', 1)[0].rsplit("<label", 1)[1]
    assert "توضیح" in label and "ملاحظات" not in label
    assert "دلیلش را در «توضیح» دست‌کم" in page and "در ملاحظات" not in page


@pytest.mark.persian
def test_a_remark_of_punctuation_says_that_punctuation_is_not_counted(client, settings, done_comparison, dest_clerk):
    """«..........!!» is twelve characters: a refusal asking for «at least ten characters» left the reviewer
    counting them; it says that punctuation marks are not counted."""
    client.force_login(dest_clerk)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fa"
    url = reverse("scans:review", args=[done_comparison.pk])
    response = client.post(url, {"decision": "accept", "remark": "..........!!"})
    assert response.status_code == 400
    (error,) = _remark_errors(response.content.decode())
    assert "دست‌کم در ۱۰ حرف یا رقم" in error and "(نشانه‌ها شمرده نمی‌شوند)" in error


@pytest.mark.parametrize("said", [".", "..........", ". . . . . . . . . . ."])
def test_an_escalation_needs_a_remark_that_says_what_is_wrong(client, done_comparison, dest_clerk, said):
    """A single «.» escalated a comparison (a second walk, 2026-12-07): an escalation's remark is measured by its
    letters and digits as every written reason is, on the page and in the API."""
    client.force_login(dest_clerk)
    url = reverse("scans:review", args=[done_comparison.pk])
    response = client.post(url, {"decision": "escalate", "remark": said})
    assert response.status_code == 400
    (error,) = _remark_errors(response.content.decode())
    assert "at least 10 letters or digits" in error
    api = APIClient()
    api.force_authenticate(dest_clerk)
    api_url = f"/api/scans/comparisons/{done_comparison.pk}/review/"
    response = api.post(api_url, {"decision": "escalate", "remark": said}, format="json")
    assert response.status_code == 400 and "remark" in response.json()["error"]["fields"]
    done_comparison.refresh_from_db()
    assert done_comparison.review == "pending"
    assert client.post(url, {"decision": "escalate", "remark": "قطع برق شهر"}).status_code == 302
