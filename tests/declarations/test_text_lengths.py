"""Remarks on an arrival or a settlement and a letter's reply text had no limit (a 1000-character seal number was
stored, and so was any length of remarks): they are refused past their length, naming the field, from the API and
the service alike, and the schema gives the length."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from casework.models import FollowUpLetter, LetterStatus
from declarations import services
from declarations.models import Status, TransitDeclaration
from tests.casework.test_inbox import letters  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_transit(declaration, origin_clerk):
    services.declaration_depart(declaration=declaration, by=origin_clerk, at=timezone.now() - dt.timedelta(hours=30))
    declaration.refresh_from_db()
    return declaration


def test_arrival_remarks_past_500_characters_are_refused_naming_the_field(in_transit, dest_clerk):
    api = APIClient()
    api.force_authenticate(dest_clerk)
    url = f"/api/declarations/{in_transit.pk}/confirm-arrival/"
    body = {"remarks": "x" * 501, "unseen_reason": "camera down"}
    response = api.post(url, body, format="json")
    assert response.status_code == 400 and list(response.json()["error"]["fields"]) == ["remarks"]
    assert TransitDeclaration.objects.get(pk=in_transit.pk).status == Status.IN_TRANSIT
    with pytest.raises(services.InvalidInput) as refused:
        services.declaration_confirm_arrival(declaration=in_transit, by=dest_clerk, remarks="x" * 501)
    assert refused.value.fields == {"remarks": "too long"}
    assert api.post(url, {**body, "remarks": "x" * 500}, format="json").status_code == 200


def test_a_reply_past_5000_characters_is_refused_naming_the_field(dest_clerk, letters):  # noqa: F811
    api = APIClient()
    api.force_authenticate(dest_clerk)
    url = f"/api/casework/letters/{letters['soon'].pk}/answer/"
    response = api.post(url, {"reply_text": "ر" * 5001}, format="json")
    assert response.status_code == 400 and list(response.json()["error"]["fields"]) == ["reply_text"]
    assert FollowUpLetter.objects.get(pk=letters["soon"].pk).status == LetterStatus.SENT
    from casework import services as casework_services

    with pytest.raises(casework_services.InvalidInput) as refused:
        casework_services.letter_record_answer(letter=letters["soon"], by=dest_clerk, reply_text="ر" * 5001)
    assert refused.value.fields == {"reply_text": "too long"}


def test_the_schema_gives_the_lengths():
    from drf_spectacular.generators import SchemaGenerator

    components = SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]
    assert components["ConfirmArrivalIn"]["properties"]["remarks"]["maxLength"] == 500
    assert components["SettleIn"]["properties"]["remarks"]["maxLength"] == 500
    assert components["AnswerIn"]["properties"]["reply_text"]["maxLength"] == 5000
