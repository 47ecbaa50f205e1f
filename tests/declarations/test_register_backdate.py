"""A declaration registered by hand is declared at most DECLARATION_MAX_BACKDATE_DAYS back and never before
what a submitted monthly return counted: «1403/12/30 10:00», 20 months back, was taken and silently changed
returns already sent. The ICS import (the record of truth) is not limited so."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from core.dates import format_jalali, jalali_month_bounds, jalali_month_of, previous_jalali_month
from declarations.importer import import_rows
from declarations.models import TransitDeclaration
from reports.models import MonthlyReturn, ReturnStatus

pytestmark = pytest.mark.django_db
URL = reverse("declarations:register")


def _body(**changes):
    body = {
        "serial": "API-HAND-1",
        "declared_at": format_jalali(timezone.now() - dt.timedelta(hours=2), persian=False),
        "origin": "BZG",
        "destination": "THR",
        "plate": "34ABC123",
        "plate_country": "TR",
        "goods": [{"hs_code": "870323", "description": "cars", "quantity": "2", "goods_serials": ["VIN1"]}],
    }
    return body | changes


def _submitted(province, year, month, version=1):
    return MonthlyReturn.objects.create(
        year=year, month=month, province=province, version=version, sha256="0" * 64, status=ReturnStatus.SUBMITTED
    )


def _earliest(days=7) -> dt.datetime:
    back = timezone.now() - dt.timedelta(days=days)
    return back.replace(second=0, microsecond=0) + dt.timedelta(minutes=1)


def test_twenty_months_back_is_refused_by_the_api_naming_the_field_and_the_earliest_time(
    origin_clerk, bazargan, tehran
):
    api = APIClient()
    api.force_authenticate(origin_clerk)
    response = api.post("/api/declarations/", _body(declared_at="1403/12/30 10:00"), format="json")
    assert response.status_code == 400, response.json()
    error = response.json()["error"]
    assert list(error["fields"]) == ["declared_at"]
    message = error["fields"]["declared_at"][0]
    assert "1403/12/30 10:00" in message and "at most 7 days back" in message
    assert format_jalali(_earliest(), persian=False) in message
    assert not TransitDeclaration.objects.exists()
    response = api.post("/api/declarations/", _body(), format="json")
    assert response.status_code == 201


@pytest.mark.persian
def test_the_form_refuses_eight_days_back_beside_the_field_in_persian_and_takes_six(
    client, origin_clerk, bazargan, tehran
):
    from tests.declarations.test_register import _beside, _form

    client.force_login(origin_clerk)
    eight = format_jalali(timezone.now() - dt.timedelta(days=8))
    response = client.post(URL, _form(bazargan, tehran, declared_at=eight))
    assert response.status_code == 400
    beside = _beside(response.content.decode(), "declared_at")
    assert "حداکثر ۷ روز به عقب" in beside and format_jalali(_earliest()) in beside
    assert not TransitDeclaration.objects.exists()
    six = format_jalali(timezone.now() - dt.timedelta(days=6))
    assert client.post(URL, _form(bazargan, tehran, declared_at=six)).status_code == 302


def test_a_month_whose_return_was_submitted_is_closed_to_hand_registration(
    settings, origin_clerk, bazargan, tehran, west_az, tehran_province
):
    settings.DECLARATION_MAX_BACKDATE_DAYS = 90
    year, month = previous_jalali_month(*jalali_month_of(timezone.now()))
    start = jalali_month_bounds(*jalali_month_of(timezone.now()))[0]
    in_last_month = format_jalali(start - dt.timedelta(hours=12), persian=False)
    api = APIClient()
    api.force_authenticate(origin_clerk)
    # A draft, and another province's submitted return, close nothing.
    MonthlyReturn.objects.create(year=year, month=month, province=west_az, version=1, sha256="0" * 64)
    _submitted(tehran_province, year, month)
    response = api.post("/api/declarations/", _body(declared_at=in_last_month), format="json")
    assert response.status_code == 201, response.json()
    _submitted(west_az, year, month, version=2)
    response = api.post("/api/declarations/", _body(serial="API-HAND-2", declared_at=in_last_month), format="json")
    assert response.status_code == 400
    message = response.json()["error"]["fields"]["declared_at"][0]
    assert "already submitted" in message and f"{year}/{month:02d}" in message
    assert format_jalali(start, persian=False) in message
    assert not TransitDeclaration.objects.filter(serial="API-HAND-2").exists()


def test_the_nations_submitted_return_closes_the_month_for_every_province(settings, origin_clerk, bazargan, tehran):
    settings.DECLARATION_MAX_BACKDATE_DAYS = 90
    year, month = previous_jalali_month(*jalali_month_of(timezone.now()))
    start = jalali_month_bounds(*jalali_month_of(timezone.now()))[0]
    _submitted(None, year, month)
    api = APIClient()
    api.force_authenticate(origin_clerk)
    body = _body(declared_at=format_jalali(start - dt.timedelta(hours=1), persian=False))
    assert api.post("/api/declarations/", body, format="json").status_code == 400


def test_the_ics_import_still_takes_a_declaration_twenty_months_back(bazargan, tehran, west_az):
    year, month = previous_jalali_month(*jalali_month_of(timezone.now()))
    _submitted(west_az, year, month)
    row = {
        "serial": "ICS-OLD-1",
        "declared_at": "1403/12/30 10:00",
        "origin": "BZG",
        "destination": "THR",
        "plate": "12 ب 345 ایران 65",
        "hs_code": "851713",
        "description": "گوشی تلفن همراه",
        "quantity": "100",
    }
    summary = import_rows([(2, row)], source_ref="ICS export", by=None)
    assert summary.created == 1 and not summary.rejected
    assert TransitDeclaration.objects.filter(serial="ICS-OLD-1").exists()
