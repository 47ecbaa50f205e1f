"""Accepting a comparison that warns the reviewer (a suspicious verdict, a score above its threshold, a reused
scan) overrides the warning: it needs a written reason of at least ten characters, beside the remark on the
page and named in the API. An unflagged comparison is still accepted without one."""

import html as htmllib
import re

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from declarations.models import Verdict
from scans.models import ScanComparison, Stage
from tests.factories import DeclarationFactory
from tests.scans import images
from tests.scans.conftest import upload

pytestmark = pytest.mark.django_db


def _remark_errors(html: str) -> list[str]:
    block = html.split('name="remark"', 1)[1].split("</textarea>", 1)[1].split('<div class="mb-2', 1)[0]
    found = re.findall(r'<div class="invalid-feedback[^"]*"[^>]*>(.*?)</div>', block, re.S)
    return [htmllib.unescape(re.sub(r"<[^>]+>", "", e)).strip() for e in found]


@pytest.mark.parametrize("remark", ["", "ok", "  باشه   "])
def test_accepting_a_suspicious_comparison_without_a_reason_is_refused_beside_the_remark(
    client, done_comparison, dest_clerk, remark
):
    client.force_login(dest_clerk)
    response = client.post(reverse("scans:review", args=[done_comparison.pk]), {"decision": "accept", "remark": remark})
    assert response.status_code == 400
    errors = _remark_errors(response.content.decode())
    assert errors and "10" in errors[0], errors
    done_comparison.refresh_from_db()
    assert done_comparison.review == "pending" and done_comparison.reviewed_by is None


def test_accepting_a_suspicious_comparison_with_a_reason_is_recorded(client, done_comparison, dest_clerk):
    client.force_login(dest_clerk)
    page = client.get(reverse("scans:viewer", args=[done_comparison.pk])).content.decode()
    assert "10" in page.split('name="remark"', 1)[1].split('<div class="mb-2', 1)[0]  # said before it is sent
    reason = "بار را باز کردیم، همان کالای اظهارشده است"
    response = client.post(reverse("scans:review", args=[done_comparison.pk]), {"decision": "accept", "remark": reason})
    assert response.status_code == 302
    done_comparison.refresh_from_db()
    assert done_comparison.review == "accepted" and done_comparison.review_remark == reason


def test_the_api_names_the_remark_an_override_needs(done_comparison, dest_clerk):
    api = APIClient()
    api.force_authenticate(dest_clerk)
    url = f"/api/scans/comparisons/{done_comparison.pk}/review/"
    response = api.post(url, {"decision": "accept", "remark": "ok"}, HTTP_ACCEPT_LANGUAGE="fa")
    assert response.status_code == 400 and "remark" in response.json()["error"]["fields"]
    assert "۱۰ حرف یا رقم" in response.json()["error"]["message"]
    done_comparison.refresh_from_db()
    assert done_comparison.review == "pending"
    assert api.post(url, {"decision": "accept", "remark": "seals intact, load checked"}).status_code == 200


def _consistent(comparison):
    ScanComparison.objects.filter(pk=comparison.pk).update(verdict=Verdict.CONSISTENT, score=0.001)


def test_a_consistent_comparison_is_accepted_without_a_remark(client, done_comparison, dest_clerk):
    _consistent(done_comparison)
    client.force_login(dest_clerk)
    response = client.post(reverse("scans:review", args=[done_comparison.pk]), {"decision": "accept", "remark": ""})
    assert response.status_code == 302


def test_a_score_above_its_threshold_needs_a_reason_whatever_the_verdict(client, done_comparison, dest_clerk):
    ScanComparison.objects.filter(pk=done_comparison.pk).update(verdict=Verdict.CONSISTENT)  # 0.02 > 0.004
    client.force_login(dest_clerk)
    response = client.post(reverse("scans:review", args=[done_comparison.pk]), {"decision": "accept", "remark": ""})
    assert response.status_code == 400


def test_a_consistent_comparison_of_a_reused_scan_needs_a_reason(
    client, done_comparison, dest_clerk, origin_clerk, bazargan, sarakhs
):
    _consistent(done_comparison)
    other_truck = DeclarationFactory(origin=bazargan, destination=sarakhs, serial="1405-BZG-90000077")
    upload(other_truck, Stage.ORIGIN, origin_clerk, images.png())  # the same image as this origin scan
    client.force_login(dest_clerk)
    page = client.get(reverse("scans:viewer", args=[done_comparison.pk])).content.decode()
    assert "scan-reuse" in page  # the warning the reviewer sees
    response = client.post(reverse("scans:review", args=[done_comparison.pk]), {"decision": "accept", "remark": ""})
    assert response.status_code == 400 and _remark_errors(response.content.decode())
    done_comparison.refresh_from_db()
    assert done_comparison.review == "pending"
