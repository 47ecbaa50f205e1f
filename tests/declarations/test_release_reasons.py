"""Releasing a blocked settlement, letting a foreign truck depart without a permit and resolving a serial
discrepancy took «..........» as their justification (a second walk, 2026-12-07): each is measured by its
letters and digits as every written reason is, in the service (so the page and the API agree), and refused
beside the field."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from declarations import serials
from declarations.models import (
    DiscrepancyResolution,
    GoodsSerial,
    PermitWaiver,
    SettlementOverride,
    Status,
    TransitDeclaration,
)
from tests.factories import DeclarationFactory, GoodsFactory, VehicleFactory

pytestmark = pytest.mark.django_db

DECLARED = ["356938035643809", "356938035643817"]
DOTS = ["..........", ". . . . . . . . . . ."]
SHORT = "at least 10 letters or digits"


@pytest.fixture
def discrepancy(declaration, dest_clerk):
    """An arrived declaration of two phones; one was not found: the settlement is blocked."""
    item = GoodsFactory(declaration=declaration, line_no=1, serials=DECLARED)
    for value in DECLARED:
        GoodsSerial.objects.create(value=value, is_imei=True, declaration=declaration, goods_item=item)
    TransitDeclaration.objects.filter(pk=declaration.pk).update(
        status=Status.ARRIVED,
        departed_at=timezone.now() - dt.timedelta(days=1),
        arrived_at=timezone.now() - dt.timedelta(hours=2),
    )
    declaration.refresh_from_db()
    serials.arrival_serials_record(declaration=declaration, values=DECLARED[:1], by=dest_clerk)
    return declaration


def _beside(html: str, form_marker: str, name: str) -> str:
    form = html.split(form_marker, 1)[1].split("</form>", 1)[0]
    return form.split(f'name="{name}"', 1)[1]


@pytest.mark.parametrize("said", DOTS)
def test_a_settlement_is_not_released_for_dots(client, discrepancy, hq, said):
    client.force_login(hq)
    response = client.post(
        reverse("declarations:settlement-override", args=[discrepancy.pk]), {"override-reason": said}
    )
    assert response.status_code == 400
    assert SHORT in _beside(response.content.decode(), 'id="override-form"', "override-reason")
    api = APIClient()
    api.force_authenticate(hq)
    response = api.post(f"/api/declarations/{discrepancy.pk}/settlement-override/", {"reason": said}, format="json")
    assert response.status_code == 400 and "reason" in response.json()["error"]["fields"]
    assert not SettlementOverride.objects.exists()
    response = client.post(
        reverse("declarations:settlement-override", args=[discrepancy.pk]),
        {"override-reason": "قطع برق شهر"},
    )
    assert response.status_code == 302 and SettlementOverride.objects.exists()


@pytest.mark.parametrize("said", DOTS)
def test_a_discrepancy_is_not_resolved_by_dots(client, discrepancy, dest_clerk, said):
    client.force_login(dest_clerk)
    pk = discrepancy.serial_discrepancies.get().pk
    url = reverse("declarations:discrepancy-resolve", args=[pk])
    response = client.post(url, {"resolve-reason": said})
    assert response.status_code == 400
    assert SHORT in _beside(response.content.decode(), f'action="{url}"', "resolve-reason")
    api = APIClient()
    api.force_authenticate(dest_clerk)
    response = api.post(f"/api/declarations/{discrepancy.pk}/resolve-discrepancy/", {"reason": said}, format="json")
    assert response.status_code == 400 and "reason" in response.json()["error"]["fields"]
    assert not DiscrepancyResolution.objects.exists()


@pytest.mark.parametrize("said", DOTS)
def test_a_truck_does_not_depart_without_a_permit_for_dots(client, bazargan, tehran, hq, said):
    foreign = DeclarationFactory(
        origin=bazargan,
        destination=tehran,
        vehicle=VehicleFactory(plate="34ABC123", country="TR"),
        vehicle_country="TR",
    )
    client.force_login(hq)
    url = reverse("declarations:permit-waive", args=[foreign.pk])
    response = client.post(url, {"waiver-reason": said})
    assert response.status_code == 400
    assert SHORT in response.content.decode().split('name="waiver-reason"', 1)[1].split("</form>", 1)[0]
    assert not PermitWaiver.objects.exists()
    assert client.post(url, {"waiver-reason": "قطع برق شهر"}).status_code == 302
