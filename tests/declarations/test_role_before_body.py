"""A person without the right to a declaration's move is told so (403) before anything they sent is checked:
an empty POST to every transition, on the page and in the API, by someone who may see the declaration but
not make the move, is refused as not allowed, never asked to fill a required field; nothing changes."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from declarations.models import DeclarationEvent, Status
from tests.factories import DeclarationFactory

pytestmark = pytest.mark.django_db

# (action, API path, status the declaration is in, the persona who may see it but not make the move)
CASES = [
    ("depart", "depart", Status.REGISTERED, "dest_clerk"),
    ("cancel", "cancel", Status.REGISTERED, "dest_clerk"),
    ("extend_deadline", "extend-deadline", Status.IN_TRANSIT, "inspector"),
    ("confirm_arrival", "confirm-arrival", Status.IN_TRANSIT, "origin_clerk"),
    ("settle", "settle", Status.ARRIVED, "origin_clerk"),
    ("record_unsettled", "record-reason", Status.ARRIVED, "inspector"),
    ("close", "close", Status.UNSETTLED, "dest_clerk"),
]


def _declaration(bazargan, tehran, status):
    now = timezone.now()
    times = {"departed_at": now - dt.timedelta(days=1), "deadline": now + dt.timedelta(days=2)}
    if status in (Status.ARRIVED, Status.UNSETTLED):
        times["arrived_at"] = now - dt.timedelta(hours=2)
    if status == Status.REGISTERED:
        times = {}
    return DeclarationFactory(origin=bazargan, destination=tehran, status=status, **times)


@pytest.mark.parametrize(("action", "path", "status", "persona"), CASES)
def test_a_wrong_role_empty_post_on_the_page_gets_the_403_page(
    client, request, bazargan, tehran, action, path, status, persona
):
    declaration = _declaration(bazargan, tehran, status)
    client.force_login(request.getfixturevalue(persona))
    response = client.post(reverse("declarations:action", args=[declaration.pk, action]), {})
    assert response.status_code == 403
    html = response.content.decode()
    assert 'id="who-grants"' in html  # the app's 403 page, not the declaration page with a form error
    assert "You may not" in html and "Enter “" not in html and "Choose “" not in html
    declaration.refresh_from_db()
    assert declaration.status == status
    assert not DeclarationEvent.objects.filter(declaration=declaration, kind=action).exists()


@pytest.mark.parametrize(("action", "path", "status", "persona"), CASES)
def test_a_wrong_role_empty_post_in_the_api_gets_403_forbidden(
    request, bazargan, tehran, action, path, status, persona
):
    declaration = _declaration(bazargan, tehran, status)
    api = APIClient()
    api.force_authenticate(request.getfixturevalue(persona))
    response = api.post(f"/api/declarations/{declaration.pk}/{path}/", {}, format="json")
    assert response.status_code == 403, response.content
    error = response.json()["error"]
    assert error["code"] == "forbidden" and "You may not" in error["message"]
    declaration.refresh_from_db()
    assert declaration.status == status


def test_a_wrong_role_empty_transport_document_in_the_api_gets_403(bazargan, tehran, sarakhs, inspector):
    declaration = _declaration(bazargan, tehran, Status.ARRIVED)
    api = APIClient()
    api.force_authenticate(inspector)
    response = api.post(f"/api/declarations/{declaration.pk}/transport-document/", {}, format="json")
    assert response.status_code == 403 and response.json()["error"]["code"] == "forbidden"


def test_the_right_person_sending_nothing_is_still_asked_for_the_field(
    client, api_token_for, bazargan, tehran, origin_clerk
):
    declaration = _declaration(bazargan, tehran, Status.REGISTERED)
    client.force_login(origin_clerk)
    assert client.post(reverse("declarations:action", args=[declaration.pk, "cancel"]), {}).status_code == 400
    api = APIClient()
    api.force_authenticate(origin_clerk)
    response = api.post(f"/api/declarations/{declaration.pk}/cancel/", {}, format="json")
    assert response.status_code == 400 and "reason" in response.json()["error"]["fields"]


def test_a_wrong_role_is_told_it_may_not_before_the_status_is_judged(bazargan, tehran, origin_clerk):
    declaration = _declaration(bazargan, tehran, Status.REGISTERED)  # not arrived: settling is illegal for anyone
    api = APIClient()
    api.force_authenticate(origin_clerk)
    response = api.post(f"/api/declarations/{declaration.pk}/settle/", {}, format="json")
    assert response.status_code == 403 and response.json()["error"]["code"] == "forbidden"
