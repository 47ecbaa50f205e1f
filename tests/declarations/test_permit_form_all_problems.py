"""The traffic permit form names every problem in one submit: a permit number already recorded and an
allowed time too short for the route were only told once the fuel-receipt fields were filled (the
service ran only on a valid form). The form asks the service's checks (``traffic_permit_problems``)
whatever else failed, each beside its field."""

import pytest
from django.urls import reverse

from declarations.models import TrafficPermit
from tests.declarations.test_permits_screens import _beside, _form
from tests.factories import DeclarationFactory, VehicleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def foreign(bazargan, tehran):
    truck = VehicleFactory(plate="34ABC123", country="TR")
    return DeclarationFactory(origin=bazargan, destination=tehran, vehicle=truck, vehicle_country="TR")


def test_one_submit_names_the_taken_number_and_the_short_time_beside_the_missing_receipt(
    client, origin_clerk, foreign, bazargan, tehran
):
    client.force_login(origin_clerk)
    url = reverse("declarations:permit-new", args=[foreign.pk])
    assert client.post(url, _form(bazargan, tehran, **{"permit-permit_no": "TP-9"})).status_code == 302
    second = DeclarationFactory(
        origin=bazargan, destination=tehran, vehicle=VehicleFactory(plate="34XYZ99", country="TR"), vehicle_country="TR"
    )
    posted = _form(bazargan, tehran, **{"permit-permit_no": "tp-9", "permit-allowed_hours": "1"})
    posted |= {"permit-route_km": "895", "permit-fuel_receipt_no": "", "permit-fuel_receipt_date": ""}
    response = client.post(reverse("declarations:permit-new", args=[second.pk]), posted)
    assert response.status_code == 400
    html = response.content.decode()
    assert "already recorded" in _beside(html, "permit_no")
    assert "too short" in _beside(html, "allowed_hours")
    assert "invalid-feedback" in _beside(html, "fuel_receipt_no")
    assert TrafficPermit.objects.count() == 1


def test_a_fuel_receipt_paid_after_the_issue_is_named_with_the_other_problems(
    client, origin_clerk, foreign, bazargan, tehran
):
    """Art. 8's order (the fuel-price difference paid before the permit is issued) was only told once the
    number, the hours and the amount were right: three submits where one names all."""
    import datetime as dt

    from django.utils import timezone

    from core.dates import format_jalali

    client.force_login(origin_clerk)
    url = reverse("declarations:permit-new", args=[foreign.pk])
    assert client.post(url, _form(bazargan, tehran, **{"permit-permit_no": "TP-9"})).status_code == 302
    second = DeclarationFactory(
        origin=bazargan, destination=tehran, vehicle=VehicleFactory(plate="34XYZ98", country="TR"), vehicle_country="TR"
    )
    posted = _form(
        bazargan,
        tehran,
        **{
            "permit-permit_no": "TP-9",
            "permit-fuel_receipt_amount": "-5",
            "permit-fuel_receipt_date": format_jalali(timezone.now() - dt.timedelta(days=1), with_time=False),
        },
    )
    response = client.post(reverse("declarations:permit-new", args=[second.pk]), posted)
    assert response.status_code == 400
    html = response.content.decode()
    assert "already recorded" in _beside(html, "permit_no")
    assert "invalid-feedback" in _beside(html, "fuel_receipt_amount")
    assert "is paid before the permit is issued" in _beside(html, "fuel_receipt_date")  # not the help text
    assert TrafficPermit.objects.count() == 1
