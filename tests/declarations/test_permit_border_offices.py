"""The traffic permit's entry and exit border: a foreign truck crosses at a land border or a port, so the
form offers only those, and the service (page and API) refuses an inland office or an airport beside its
field, storing nothing."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import CustomsOffice
from declarations.models import TrafficPermit
from tests.declarations.test_permits_screens import _beside, _form
from tests.factories import DeclarationFactory, OfficeFactory, VehicleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def foreign(bazargan, tehran):
    truck = VehicleFactory(plate="34ABC123", country="TR")
    return DeclarationFactory(origin=bazargan, destination=tehran, vehicle=truck, vehicle_country="TR")


@pytest.fixture
def airport(tehran_province):
    return OfficeFactory(code="IKA", name_en="Imam Khomeini Airport", province=tehran_province, kind="inland")


@pytest.fixture
def isfahan(tehran_province):
    return OfficeFactory(code="ISF", name_en="Isfahan", province=tehran_province, kind="inland")


@pytest.fixture
def anzali(tehran_province):
    return OfficeFactory(code="ANZ", name_en="Bandar Anzali", province=tehran_province, kind="port")


def test_the_form_offers_only_borders_and_ports(client, origin_clerk, foreign, airport, isfahan, anzali):
    client.force_login(origin_clerk)
    response = client.get(reverse("declarations:permit-new", args=[foreign.pk]))
    assert response.status_code == 200
    form = response.context["form"]
    for name in ("entry_office", "exit_office"):
        codes = set(form.fields[name].queryset.values_list("code", flat=True))
        assert {"BZG", "THR", "ANZ"} <= codes, codes
        assert not codes & {"IKA", "ISF"}, codes


def test_the_page_refuses_an_airport_beside_the_exit(client, origin_clerk, foreign, bazargan, airport):
    client.force_login(origin_clerk)
    response = client.post(reverse("declarations:permit-new", args=[foreign.pk]), _form(bazargan, airport))
    assert response.status_code == 400
    assert "invalid-feedback" in _beside(response.content.decode(), "exit_office")
    assert not TrafficPermit.objects.exists()


def test_the_api_refuses_inland_offices_naming_each_field(origin_clerk, foreign, airport, isfahan):
    api = APIClient()
    api.force_authenticate(origin_clerk)
    body = {
        "declaration": foreign.pk,
        "permit_no": "API-B1",
        "entry_office": "ISF",
        "exit_office": "IKA",
        "allowed_hours": 96,
        "issued_at": (timezone.now() - dt.timedelta(hours=2)).isoformat(),
    }
    response = api.post("/api/permits/", body, format="json")
    assert response.status_code == 400, response.json()
    fields = response.json()["error"]["fields"]
    assert set(fields) == {"entry_office", "exit_office"}, fields
    assert "Isfahan" in fields["entry_office"][0] and "Airport" in fields["exit_office"][0]
    assert not TrafficPermit.objects.exists()
    response = api.post("/api/permits/", body | {"entry_office": "BZG", "exit_office": "THR"}, format="json")
    assert response.status_code == 201, response.json()
    assert CustomsOffice.objects.get(code="THR").kind == "border"  # the tests' Tehran is a border office
