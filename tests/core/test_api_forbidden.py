"""Every 403 of the API has one code, ``forbidden`` (the error pages' and the domain's), in the reader's language:
a role refused by a view said ``permission_denied``, a missing CSRF token «CSRF Failed: CSRF token missing.» in
English on a Persian session, the token endpoint ``two_factor_required``."""

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from scans.models import Stage
from tests.factories import DeclarationFactory
from tests.scans import images
from tests.scans.conftest import upload

pytestmark = [pytest.mark.django_db, pytest.mark.persian]


def test_a_role_refused_by_a_view_is_forbidden(bazargan, tehran, origin_clerk):
    declaration = DeclarationFactory(origin=bazargan, destination=tehran)
    scan = upload(declaration, Stage.ORIGIN, origin_clerk, images.png(71))
    api = APIClient()
    api.force_authenticate(origin_clerk)
    response = api.post(reverse("scans-api-reuse-reviews", args=[scan.pk]), {"decision": "confirmed"}, format="json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


def test_a_session_call_without_its_csrf_token_is_forbidden_in_persian(origin_clerk):
    client = Client(enforce_csrf_checks=True)
    client.force_login(origin_clerk)
    response = client.post("/api/permits/", {}, content_type="application/json")
    assert response.status_code == 403
    error = response.json()["error"]
    assert error["code"] == "forbidden"
    assert error["message"] == "نشانهٔ CSRF نیست یا نادرست است؛ دوباره وارد شوید و تلاش کنید."


def test_a_login_waiting_for_its_second_factor_is_forbidden_in_persian(client, hq):
    hq.set_password("correct-horse-battery")
    hq.save()
    assert client.post(reverse("login"), {"username": "hq", "password": "correct-horse-battery"}).status_code == 302
    response = client.get("/api/declarations/")
    assert response.status_code == 403
    assert response.json()["error"] == {
        "code": "forbidden",
        "message": "نخست ورود دومرحله‌ای را کامل کنید.",
        "fields": {},
    }
