"""A row an origin office may not import (an arrival state) that also lacks its departure time is refused
with both problems named on the row: the permission under ``status`` and the missing ``departed_at``, so the
person fixes both at once instead of meeting the second after fixing the first."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.offices_data import ensure_offices
from declarations.models import ImportBatch, Status, TransitDeclaration
from tests.declarations.test_importer import row, to_csv

SERIAL = "T140409000001"


@pytest.fixture
def offices(db):
    return ensure_offices()


def _settled_without_departure() -> dict:
    return row(serial=SERIAL, status=Status.SETTLED, status_at="1404/05/14 09:00", departed_at="")


def _fields_of(report: dict, first_row: int) -> list[str]:
    return [e["field"] for e in report["rejected"] if e["row"] == first_row]


def test_a_file_row_names_the_permission_and_the_missing_departure(client, offices, origin_clerk):
    client.force_login(origin_clerk)
    upload = SimpleUploadedFile("export.csv", to_csv([_settled_without_departure()]))
    assert client.post(reverse("declarations:import"), {"file": upload}).status_code == 200
    report = ImportBatch.objects.latest("pk").report
    assert _fields_of(report, 2) == ["status", "departed_at"]
    assert report["created"] == 0 and not TransitDeclaration.objects.filter(serial=SERIAL).exists()


def test_an_api_record_names_the_permission_and_the_missing_departure(offices, origin_clerk):
    api = APIClient()
    api.force_authenticate(origin_clerk)
    response = api.post(
        "/api/declarations/import/", json.dumps([_settled_without_departure()]), content_type="application/json"
    )
    assert response.status_code == 200, response.content
    report = response.json()
    assert _fields_of(report, 1) == ["status", "departed_at"]
    messages = [e["message"] for e in report["rejected"]]
    assert "may not" in messages[0] and "departure" in messages[1]
    assert not TransitDeclaration.objects.filter(serial=SERIAL).exists()


def test_a_permitted_importer_still_meets_only_the_missing_departure(offices, hq):
    api = APIClient()
    api.force_authenticate(hq)
    response = api.post(
        "/api/declarations/import/", json.dumps([_settled_without_departure()]), content_type="application/json"
    )
    assert _fields_of(response.json(), 1) == ["departed_at"]
