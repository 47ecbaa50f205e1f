"""A company name without its registration number, and a trailer plate with no digit, were taken and
silently dropped (``company: null``, trailer plate ""): both are refused naming the column to correct."""

import pytest
from rest_framework.test import APIClient

from declarations.importer import import_rows
from declarations.models import TransitDeclaration, Vehicle
from tests.declarations.test_importer import row
from tests.declarations.test_register_backdate import _body

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(origin_clerk):
    client = APIClient()
    client.force_authenticate(origin_clerk)
    return client


def test_a_company_name_without_its_registration_number_is_refused(api, bazargan, tehran):
    response = api.post("/api/declarations/", _body(company_name="ترابر"), format="json")
    assert response.status_code == 400, response.json()
    assert list(response.json()["error"]["fields"]) == ["company_reg_no"]
    assert not TransitDeclaration.objects.exists()
    response = api.post("/api/declarations/", _body(company_name="ترابر", company_reg_no="R-9"), format="json")
    assert response.status_code == 201
    assert TransitDeclaration.objects.get().company.name == "ترابر"


def test_a_trailer_plate_without_digits_is_refused(api, bazargan, tehran):
    response = api.post("/api/declarations/", _body(trailer_plate="XXXX"), format="json")
    assert response.status_code == 400, response.json()
    message = response.json()["error"]["fields"]["trailer_plate"][0]
    assert "XXXX" in message and "every plate has digits" in message
    assert not TransitDeclaration.objects.exists() and not Vehicle.objects.exists()
    response = api.post("/api/declarations/", _body(trailer_plate="12ع345"), format="json")
    assert response.status_code == 201, response.json()
    assert Vehicle.objects.get().trailer_plate == "12ع345"


def test_the_import_refuses_them_too_naming_row_and_column(bazargan, tehran):
    rows = [
        (2, row(serial="T-CO-1", route="", company_reg_no="")),
        (3, row(serial="T-TR-1", route="", trailer_plate="XXXX")),
    ]
    summary = import_rows(rows, source_ref="test")
    assert [(e.row, e.field) for e in summary.rejected] == [(2, "company_reg_no"), (3, "trailer_plate")]
    assert summary.created == 0
