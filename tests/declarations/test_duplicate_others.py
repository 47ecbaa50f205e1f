"""A duplicate flag names the other declaration behind it, so that it can be checked: linked by its serial
in the reader's scope, by its office only outside it (a serial outside the scope is a leak)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from declarations.models import GoodsSerial, Status, TransitDeclaration
from tests.factories import DeclarationFactory, GoodsFactory, OfficeFactory, VehicleFactory

pytestmark = pytest.mark.django_db

IMEI = "356938035643809"


@pytest.fixture
def truck_on_two(bazargan, tehran, sarakhs):
    """A truck in transit from Bazargan and, outside West Azerbaijan, from Sarakhs at the same time."""
    truck = VehicleFactory(plate="26ب36915")
    now = timezone.now()
    here = DeclarationFactory(
        origin=bazargan, destination=tehran, vehicle=truck, status=Status.IN_TRANSIT, departed_at=now, dup_vehicle=True
    )
    there = DeclarationFactory(
        origin=sarakhs,
        destination=tehran,
        vehicle=truck,
        status=Status.IN_TRANSIT,
        departed_at=now - dt.timedelta(hours=5),
        dup_vehicle=True,
    )
    return here, there


def _duplicates(html: str) -> str:
    return html.split('id="duplicates"', 1)[1].split("</section>", 1)[0]


@pytest.mark.persian
def test_the_inspector_is_told_the_other_office_not_the_serial_outside_the_scope(client, inspector, truck_on_two):
    here, there = truck_on_two
    client.force_login(inspector)
    html = client.get(reverse("declarations:detail", args=[here.pk])).content.decode()
    part = _duplicates(html)
    assert 'data-duplicate="dup_vehicle"' in part
    assert "بیرون از حوزهٔ شما، گمرک سرخس" in part
    assert there.serial not in html and reverse("declarations:detail", args=[there.pk]) not in html
    # The truck's page says it is open elsewhere too, by office.
    page = client.get(reverse("declarations:vehicle", args=[here.vehicle_id])).content.decode()
    assert "گمرک سرخس" in page.split('id="open-elsewhere"', 1)[1] and there.serial not in page


def test_headquarters_follow_the_link_to_the_other_declaration(client, hq, truck_on_two):
    here, there = truck_on_two
    client.force_login(hq)
    part = _duplicates(client.get(reverse("declarations:detail", args=[here.pk])).content.decode())
    assert there.serial in part and reverse("declarations:detail", args=[there.pk]) in part
    assert "Sarakhs" in part and "outside your scope" not in part


def test_a_shared_imei_names_the_other_declaration_and_the_imei(client, origin_clerk, bazargan, tehran):
    urmia = OfficeFactory(code="URM")
    first = DeclarationFactory(origin=bazargan, destination=tehran, dup_goods_serial=True)
    second = DeclarationFactory(origin=urmia, destination=bazargan, dup_goods_serial=True)
    for d in (first, second):
        item = GoodsFactory(declaration=d, serials=[IMEI])
        GoodsSerial.objects.create(value=IMEI, is_imei=True, declaration=d, goods_item=item)
    client.force_login(origin_clerk)  # both are in Bazargan's scope
    part = _duplicates(client.get(reverse("declarations:detail", args=[first.pk])).content.decode())
    assert 'data-duplicate="dup_serial"' in part
    assert second.serial in part and IMEI in part
    assert TransitDeclaration.objects.count() == 2
