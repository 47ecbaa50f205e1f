"""Error pages with DEBUG off: the app's layout, in Persian, with a way back; a 403 says who may."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.persian

NAVBAR = 'class="navbar-brand"'
BACK = "بازگشت به پیشخوان"


@pytest.fixture(autouse=True)
def _debug_off(settings):
    settings.DEBUG = False


def test_a_missing_declaration_gives_the_persian_404_page_with_the_menu(client, origin_clerk):
    client.force_login(origin_clerk)

    response = client.get(reverse("declarations:detail", args=[999999]))

    body = response.content.decode()
    assert response.status_code == 404
    assert NAVBAR in body and reverse("declarations:list") in body and BACK in body
    assert "یافت نشد" in body
    assert "Not Found" not in body and "<h1>Not Found</h1>" not in body


def test_an_out_of_scope_declaration_gives_the_same_404_page(client, outsider, declaration):
    client.force_login(outsider)

    response = client.get(reverse("declarations:detail", args=[declaration.pk]))

    assert response.status_code == 404
    assert "یافت نشد" in response.content.decode()


def test_a_403_says_which_roles_may_do_it(client, inspector):
    client.force_login(inspector)

    response = client.get(reverse("declarations:import"))

    body = response.content.decode()
    assert response.status_code == 403
    assert NAVBAR in body and BACK in body
    assert "فقط دفتر ترانزیت (ستاد)، کارشناسان گمرک و سامانهٔ متصل" in body  # who imports
    assert "403 Forbidden" not in body


def test_a_403_on_building_a_return_names_who_builds_it(client, it_officer):
    client.force_login(it_officer)

    response = client.post(reverse("reports:returns"), {"year": 1404, "month": 1})

    assert response.status_code == 403
    assert "فقط دفتر ترانزیت (ستاد)، یا بازرس گمرک استان برای استان خود" in response.content.decode()


def test_a_server_error_gives_the_persian_500_page_without_touching_the_request(origin_clerk, monkeypatch):
    from declarations import selectors

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(selectors, "signal_counts_at", broken)
    client = Client(raise_request_exception=False)
    client.force_login(origin_clerk)

    response = client.get(reverse("home"))

    body = response.content.decode()
    assert response.status_code == 500
    assert NAVBAR in body and BACK in body
    assert "خطای سرور" in body
    assert "Server Error (500)" not in body


def test_a_form_sent_without_its_csrf_token_gives_the_persian_expired_form_page(origin_clerk):
    client = Client(enforce_csrf_checks=True)
    client.force_login(origin_clerk)

    response = client.post(reverse("reports:problem_new"), {"description": "x"})

    body = response.content.decode()
    assert response.status_code == 403
    assert NAVBAR in body and BACK in body
    assert "فرم منقضی شده" in body
    assert "CSRF verification failed" not in body


def test_the_api_answers_errors_with_its_json_body(client, db):
    user = UserFactory(username="ics", role=Role.INTEGRATION)
    client.force_login(user)

    response = client.get("/api/no-such-endpoint/")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_the_api_500_is_the_json_body(db, monkeypatch):
    from declarations import api

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(api.selectors, "scoped", broken)
    user = UserFactory(username="hq2", role=Role.HQ)
    client = Client(raise_request_exception=False)
    client.force_login(user)

    response = client.get("/api/declarations/")

    assert response.status_code == 500
    assert response.json()["error"]["code"] == "server_error"


def test_a_form_address_opened_by_get_gives_the_persian_405_page_not_a_blank_one(client, origin_clerk):
    """A bookmark or the history opening «read all» (a POST-only address): the layout, a way back, Allow kept."""
    client.force_login(origin_clerk)

    response = client.get(reverse("notifications:read-all"))

    body = response.content.decode()
    assert response.status_code == 405 and response["Allow"] == "POST"
    assert NAVBAR in body and BACK in body
    assert "این نشانی را نمی‌توان مستقیم باز کرد" in body and "چیزی تغییر نکرد" in body


def test_the_api_405_stays_its_json_body(client, origin_clerk):
    client.force_login(origin_clerk)

    response = client.delete("/api/offices/")

    assert response.status_code == 405 and response["Content-Type"].startswith("application/json")


def test_an_action_that_does_not_exist_is_named_as_such_with_the_actions_listed(origin_clerk, declaration):
    """«confirm_arrival» (as allowed_actions spells it) answered «Not found, or outside your scope.»."""
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(origin_clerk)
    url = f"/api/declarations/{declaration.pk}/confirm_arrival/"
    error = api.post(url, {}, format="json", HTTP_ACCEPT_LANGUAGE="en").json()["error"]
    assert error["code"] == "not_found"
    assert "There is no action 'confirm_arrival'" in error["message"], error
    assert "close, confirm-arrival, depart" in error["message"] and "extend-deadline" in error["message"]
    assert "Did you mean 'confirm-arrival/'?" in error["message"]
    persian = api.post(url, {}, format="json", HTTP_ACCEPT_LANGUAGE="fa").json()["error"]["message"]
    assert persian.startswith("کنشی به نام")
    # the record is not looked up: a declaration that does not exist gets the same answer
    missing = api.post("/api/declarations/999999/confirm_arrival/", {}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert missing.status_code == 404 and missing.json()["error"]["message"] == error["message"]
    # an existing action on a record out of reach is still the plain 404
    plain = api.post("/api/declarations/999999/settle/", {}, format="json", HTTP_ACCEPT_LANGUAGE="en").json()
    assert plain["error"]["message"].startswith("Not found")


@pytest.mark.django_db
def test_an_unknown_api_path_answers_in_plain_utf8_persian(client, inspector):
    """Other API errors are UTF-8; the 404 of a path no route matches came as \\uXXXX escapes."""
    client.force_login(inspector)
    response = client.get("/api/casework/letters/", HTTP_ACCEPT_LANGUAGE="fa")
    assert response.status_code == 404 and response["Content-Type"].startswith("application/json")
    assert "یافت نشد، یا بیرون از حوزهٔ شماست.".encode() in response.content
    assert b"\\u" not in response.content
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.django_db
def test_a_record_not_found_and_a_path_not_found_say_the_same_in_the_api(origin_clerk, declaration):
    """«/api/declarations/999999/» said «یافت نشد.» and «/api/declarations/abc/» «یافت نشد، یا بیرون از حوزهٔ شماست.»:
    a record outside the person's scope (or none) now answers as a path does."""
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(origin_clerk)
    said = {
        path: api.get(path, HTTP_ACCEPT_LANGUAGE="fa").json()["error"]["message"]
        for path in ("/api/declarations/999999/", "/api/declarations/abc/")
    }
    assert set(said.values()) == {"یافت نشد، یا بیرون از حوزهٔ شماست."}, said
