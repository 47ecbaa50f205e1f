"""A permit number typed with Persian digits is the same number as with Latin digits: stored in Latin digits,
as serials and plates are, so the duplicate check sees it on the page and the API alike."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from core.dates import format_jalali
from declarations import services
from declarations.models import TrafficPermit
from tests.factories import DeclarationFactory, VehicleFactory

pytestmark = pytest.mark.django_db


def _foreign(bazargan, tehran, plate):
    d = DeclarationFactory(
        origin=bazargan,
        destination=tehran,
        vehicle=VehicleFactory(plate=plate, country="TR"),
        vehicle_country="TR",
        declared_at=timezone.now() - dt.timedelta(days=4),
    )
    services.declaration_depart(declaration=d, by=None, at=timezone.now() - dt.timedelta(days=3))
    return d


def _page(client, d, bazargan, tehran, number):
    return client.post(
        reverse("declarations:permit-new", args=[d.pk]),
        {
            "permit-permit_no": number,
            "permit-entry_office": str(bazargan.pk),
            "permit-exit_office": str(tehran.pk),
            "permit-issued_at": format_jalali(timezone.now() - dt.timedelta(days=3), persian=True),
            "permit-allowed_hours": "48",
            "permit-route": "",
            "permit-drivers": "1",
            "permit-driving_hours_per_driver": "10",
            "permit-fuel_receipt_no": "FR-77",
            "permit-fuel_receipt_date": format_jalali(timezone.now() - dt.timedelta(days=4), with_time=False),
            "permit-fuel_receipt_amount": "12000000",
        },
    )


def _api(api, d, number):
    body = {
        "declaration": d.pk,
        "permit_no": number,
        "entry_office": "BZG",
        "exit_office": "THR",
        "allowed_hours": 48,
        "issued_at": (timezone.now() - dt.timedelta(days=1)).isoformat(),
    }
    return api.post("/api/permits/", body, format="json")


def test_a_number_typed_in_persian_digits_on_the_page_is_refused_again_in_latin_on_the_api(
    client, origin_clerk, bazargan, tehran
):
    a, b = _foreign(bazargan, tehran, "34ABC123"), _foreign(bazargan, tehran, "34ABC124")
    client.force_login(origin_clerk)
    assert _page(client, a, bazargan, tehran, "P-۱۴۰۵-77").status_code == 302
    api = APIClient()
    api.force_authenticate(origin_clerk)
    again = _api(api, b, "P-1405-77")
    assert again.status_code == 400 and "permit_no" in again.json()["error"]["fields"]
    assert list(TrafficPermit.objects.values_list("permit_no", flat=True)) == ["P-1405-77"]
    permit = TrafficPermit.objects.get()
    assert api.get(f"/api/permits/{permit.pk}/").json()["permit_no"] == "P-1405-77"
    a.refresh_from_db()
    assert a.permit_no == "P-1405-77"


def test_a_number_typed_in_persian_digits_on_the_api_is_refused_again_in_latin_on_the_page(
    client, origin_clerk, bazargan, tehran
):
    a, b = _foreign(bazargan, tehran, "34ABC123"), _foreign(bazargan, tehran, "34ABC124")
    api = APIClient()
    api.force_authenticate(origin_clerk)
    created = _api(api, a, "P-۱۴۰۵-77")
    assert created.status_code == 201 and created.json()["permit_no"] == "P-1405-77"
    client.force_login(origin_clerk)
    again = _page(client, b, bazargan, tehran, " P-1405-77 ")
    assert again.status_code == 400 and "Permit P-1405-77 is already recorded." in again.content.decode()
    assert TrafficPermit.objects.count() == 1 and not TrafficPermit.objects.filter(declaration=b).exists()
