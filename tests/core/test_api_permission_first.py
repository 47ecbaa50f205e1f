"""A user the API refuses is told so (403) whatever the body says: the letter's reply, the serials found on
arrival and a comparison's review asked an integration client or an inspector to correct a field first (400
«reply_text: This field is required.»), and only once the body was valid said they may not send it."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Role
from casework import services as casework
from declarations.models import Status
from tests.factories import DeclarationFactory, UserFactory

pytestmark = pytest.mark.django_db


def _api(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


@pytest.fixture
def overdue(bazargan, tehran):
    now = timezone.now()
    return DeclarationFactory(
        origin=bazargan,
        destination=tehran,
        status=Status.IN_TRANSIT,
        declared_at=now - dt.timedelta(days=12),
        departed_at=now - dt.timedelta(days=12),
        deadline=now - dt.timedelta(days=9),
    )


def test_a_letters_reply_is_refused_before_its_fields(overdue, origin_clerk, inspector):
    letter = casework.letter_send(letter=casework.letter_draft(declaration=overdue, by=origin_clerk), by=origin_clerk)
    ics = UserFactory(username="ics", role=Role.INTEGRATION)
    for user in (ics, inspector):
        response = _api(user).post(f"/api/casework/letters/{letter.pk}/answer/", {}, format="json")
        assert response.status_code == 403, (user, response.content)
        assert response.json()["error"]["code"] == "forbidden" and response.json()["error"]["fields"] == {}


def test_serials_found_on_arrival_are_refused_before_their_fields(overdue, origin_clerk):
    for action in ("arrival-serials", "settlement-override"):
        response = _api(origin_clerk).post(f"/api/declarations/{overdue.pk}/{action}/", {}, format="json")
        assert response.status_code == 403, (action, response.content)
        assert response.json()["error"]["code"] == "forbidden"
