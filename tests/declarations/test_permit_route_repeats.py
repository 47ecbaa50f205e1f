"""A traffic permit's route took the same office twice (BZG, THR, BZG stored as a loop) where a declaration's
route is refused for it: the API names the field and the element, the page names it beside the route, and
nothing is stored."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from core.errors import InvalidInput
from declarations import permits
from declarations.models import TrafficPermit
from tests.declarations.test_permits_screens import _beside, _form
from tests.factories import DeclarationFactory, VehicleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def foreign(bazargan, tehran):
    truck = VehicleFactory(plate="34ABC123", country="TR")
    return DeclarationFactory(origin=bazargan, destination=tehran, vehicle=truck, vehicle_country="TR")


def _body(declaration, **changes):
    body = {
        "declaration": declaration.pk,
        "permit_no": "API-R1",
        "entry_office": "BZG",
        "exit_office": "THR",
        "allowed_hours": 96,
        "issued_at": (timezone.now() - dt.timedelta(hours=2)).isoformat(),
    }
    return body | changes


@pytest.mark.parametrize("route", [["BZG", "THR", "BZG"], ["BZG", "THR", " bzg "]])
def test_the_api_refuses_an_office_twice_naming_the_field_and_its_index(origin_clerk, foreign, route):
    api = APIClient()
    api.force_authenticate(origin_clerk)
    response = api.post("/api/permits/", _body(foreign, route=route), format="json")
    assert response.status_code == 400, response.json()
    fields = response.json()["error"]["fields"]
    assert list(fields) == ["route"] and list(fields["route"]) == ["2"], fields
    assert "element 3" in fields["route"]["2"][0] and "repeats element 1" in fields["route"]["2"][0]
    assert not TrafficPermit.objects.exists()
    response = api.post("/api/permits/", _body(foreign, route=["BZG", "THR"]), format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["route"] == ["BZG", "THR"]


def test_the_page_refuses_it_beside_the_route(client, origin_clerk, foreign, bazargan, tehran):
    client.force_login(origin_clerk)
    url = reverse("declarations:permit-new", args=[foreign.pk])
    response = client.post(url, _form(bazargan, tehran, **{"permit-route": "BZG;THR;bzg"}))
    assert response.status_code == 400
    beside = _beside(response.content.decode(), "route")
    assert "invalid-feedback" in beside and "given twice" in beside
    assert not TrafficPermit.objects.exists()


def test_the_service_refuses_it_whichever_door(origin_clerk, foreign, bazargan, tehran):
    with pytest.raises(InvalidInput) as caught:
        permits.traffic_permit_record(
            declaration=foreign,
            permit_no="TP-R1",
            entry_office=bazargan,
            exit_office=tehran,
            allowed_hours=96,
            issued_at=timezone.now() - dt.timedelta(hours=2),
            route=["BZG", "THR", "BZG"],
            by=origin_clerk,
        )
    assert list(caught.value.fields) == ["route"] and "given twice" in str(caught.value)
    assert not TrafficPermit.objects.exists()
