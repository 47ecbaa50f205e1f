"""The foreign-truck rules on a declaration, from the executive regulation of the foreign-vehicle
traffic law: the permit's fields (Art. 2, 8, 10, 11, 13), the departure gate and its waiver (Art. 6
note), stops recorded on the permit (Art. 12 note 3), the road distances (Art. 11)."""

import datetime as dt
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from core.dates import format_jalali
from core.errors import InvalidInput, NotAllowed
from declarations import monitoring, permit_checks, permits, services
from declarations.models import (
    DeclarationEvent,
    GoodsItem,
    PermitStop,
    RoadDistance,
    Status,
    TrafficPermit,
    TransitDeclaration,
)
from declarations.road_distances import ensure_road_distances, road_km
from tests.factories import DeclarationFactory, VehicleFactory

pytestmark = pytest.mark.django_db
NOW = timezone.now


@pytest.fixture
def foreign(bazargan, tehran):
    truck = VehicleFactory(plate="34ABC123", country="TR")
    return DeclarationFactory(origin=bazargan, destination=tehran, vehicle=truck, vehicle_country="TR")


def _holds(d, key) -> bool:
    return monitoring.filter_signal(TransitDeclaration.objects.all(), key).filter(pk=d.pk).exists()


def record(d, bazargan, tehran, by, **kw):
    values = {
        "permit_no": "TP-1",
        "entry_office": bazargan,
        "exit_office": tehran,
        "allowed_hours": 96,
        "issued_at": NOW() - dt.timedelta(hours=2),
        "fuel_receipt_no": "FR-1",
        "fuel_receipt_date": (NOW() - dt.timedelta(days=5)).date(),
        "fuel_receipt_amount": Decimal("12000000"),
        "has_international_licence": True,
        "has_insurance_card": True,
        "has_tax_booklet": True,
        "by": by,
    }
    values.update(kw)
    return permits.traffic_permit_record(declaration=d, **values)


def test_the_permit_records_route_length_trip_and_driving_time(foreign, bazargan, tehran, origin_clerk):
    # Art. 2: entry and exit border, route, route length, trip time, driving time per driver.
    RoadDistance.objects.create(office_a=bazargan, office_b=tehran, km=950)
    permit = record(foreign, bazargan, tehran, origin_clerk, route=["bzg", "THR"], drivers=2)
    assert permit.route == ["BZG", "THR"] and permit.route_km == 950  # from the table when not given
    assert (permit.drivers, permit.driving_hours_per_driver, permit.allowed_hours) == (2, 10, 96)
    foreign.refresh_from_db()
    assert foreign.permit_no == "TP-1" and not _holds(foreign, "permit_missing")


def test_more_than_ten_hours_of_driving_a_day_cannot_be_permitted(foreign, bazargan, tehran, origin_clerk):
    # Art. 11: at most 10 hours of driving per driver in 24 hours.
    with pytest.raises(InvalidInput) as err:
        record(foreign, bazargan, tehran, origin_clerk, driving_hours_per_driver=11)
    assert "driving_hours_per_driver" in err.value.fields


def test_the_fuel_price_difference_is_paid_before_the_permit(foreign, bazargan, tehran, origin_clerk):
    # Art. 8: the receipt is dated on or before the issue.
    with pytest.raises(InvalidInput) as err:
        record(foreign, bazargan, tehran, origin_clerk, fuel_receipt_date=timezone.localdate() + dt.timedelta(days=1))
    assert "fuel_receipt_date" in err.value.fields
    assert not TrafficPermit.objects.exists()


def test_goods_beyond_the_permit_are_a_signal(foreign, bazargan, tehran, origin_clerk):
    # Art. 13: no goods beyond the transport documents and the permit. 24 t declared; a permit for 12 t.
    def goods(d):
        GoodsItem.objects.create(
            declaration=d, line_no=1, hs_code="252329", description="cement", quantity=24, unit="t",
            gross_weight_kg=Decimal("24000"),
        )  # fmt: skip

    goods(foreign)
    record(foreign, bazargan, tehran, origin_clerk, goods_weight_kg=Decimal("12000"), goods_description="cement")
    foreign.refresh_from_db()
    assert foreign.permit_goods_mismatch and _holds(foreign, "permit_goods")
    assert DeclarationEvent.objects.filter(declaration=foreign, kind="permit_goods_mismatch").exists()
    other = DeclarationFactory(origin=bazargan, destination=tehran, vehicle=foreign.vehicle, vehicle_country="TR")
    goods(other)
    record(other, bazargan, tehran, origin_clerk, permit_no="TP-2", goods_weight_kg=Decimal("24400"))
    other.refresh_from_db()
    assert not other.permit_goods_mismatch  # within the 5 % tolerance


def test_a_foreign_truck_without_a_permit_is_stopped_at_the_gate(client, foreign, origin_clerk):
    # Art. 6 note: customs stops a foreign truck without a permit. A signal until one is recorded.
    assert _holds(foreign, "permit_missing")
    client.force_login(origin_clerk)
    response = client.post(reverse("declarations:action", args=[foreign.pk, "depart"]), {"depart-at": ""})
    assert response.status_code == 409
    assert "may not depart" in response.content.decode()
    foreign.refresh_from_db()
    assert foreign.status == Status.REGISTERED
    stop = DeclarationEvent.objects.get(declaration=foreign, kind="permit_gate_stop")  # the refusal is kept
    assert stop.actor == origin_clerk and "No traffic permit" in stop.message


def test_an_incomplete_or_expired_permit_stops_the_truck_too(foreign, bazargan, tehran, origin_clerk, hq):
    # Art. 8 (fuel receipt), Art. 10 (licence, insurance card, tax booklet): checked at entry.
    record(foreign, bazargan, tehran, hq, fuel_receipt_no="", has_tax_booklet=False)
    with pytest.raises(permit_checks.PermitRequired) as err:
        services.declaration_depart(declaration=foreign, by=origin_clerk)
    assert "fuel-price" in str(err.value) and "tax booklet" in str(err.value)
    expired = DeclarationFactory(
        origin=bazargan, destination=tehran, vehicle=VehicleFactory(plate="AM555", country="AM"), vehicle_country="AM"
    )
    record(expired, bazargan, tehran, hq, permit_no="OLD", allowed_hours=5, issued_at=NOW() - dt.timedelta(hours=9))
    with pytest.raises(permit_checks.PermitRequired, match="expired"):
        services.declaration_depart(declaration=expired, by=origin_clerk)


def test_a_valid_permit_lets_the_truck_depart(foreign, bazargan, tehran, origin_clerk):
    record(foreign, bazargan, tehran, origin_clerk)
    services.declaration_depart(declaration=foreign, by=origin_clerk)
    foreign.refresh_from_db()
    assert foreign.status == Status.IN_TRANSIT


def test_the_system_reporting_a_departure_is_not_stopped(foreign):
    # An ICS export reports what happened at the border: recorded, and the signal shows the truck.
    services.declaration_depart(declaration=foreign, by=None)
    foreign.refresh_from_db()
    assert foreign.status == Status.IN_TRANSIT and _holds(foreign, "permit_missing")


def test_only_headquarters_or_the_provinces_inspector_let_a_truck_through(
    client, foreign, origin_clerk, inspector, outsider
):
    # Art. 6 note, with an audited override: the office that departs the truck cannot waive its own gate.
    url = reverse("declarations:permit-waive", args=[foreign.pk])
    client.force_login(origin_clerk)
    assert client.get(url).status_code == 403
    with pytest.raises(NotAllowed):
        permit_checks.permit_waive(declaration=foreign, by=origin_clerk, reason="the permit office is closed today")
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    client.force_login(inspector)
    page = client.get(reverse("declarations:detail", args=[foreign.pk])).content.decode()
    assert 'id="waive-permit"' in page and 'id="gate-problems"' in page
    response = client.post(url, {"waiver-reason": "short"})
    assert response.status_code == 400 and "invalid-feedback" in response.content.decode()
    assert client.post(url, {"waiver-reason": "permit system down; permit no. 4411 seen on paper"}).status_code == 302
    waiver = foreign.permit_waivers.get()
    assert waiver.by == inspector and LogEntry.objects.get_for_object(waiver).filter(actor=inspector).exists()
    assert DeclarationEvent.objects.filter(declaration=foreign, kind="permit_waiver", actor=inspector).exists()

    services.declaration_depart(declaration=foreign, by=origin_clerk)
    depart = DeclarationEvent.objects.get(declaration=foreign, kind="depart")
    assert depart.data["permit_waiver"] == waiver.pk
    foreign.refresh_from_db()
    assert foreign.status == Status.IN_TRANSIT and _holds(foreign, "permit_missing")  # still inside without one


def test_a_breakdown_is_recorded_on_the_permit_with_who_confirmed_it(client, foreign, bazargan, tehran, hq, dest_clerk):
    # Art. 12 note 3.
    permit = record(foreign, bazargan, tehran, hq, issued_at=NOW() - dt.timedelta(days=2))
    services.declaration_depart(declaration=foreign, by=None)
    url = reverse("declarations:permit-stop", args=[permit.pk])
    client.force_login(dest_clerk)  # Tehran is the exit border: on the permit's way
    response = client.post(url, {"stop-kind": "breakdown", "stop-place": "Km 40 Tabriz road"})
    assert response.status_code == 400 and "invalid-feedback" in response.content.decode()
    data = {
        "stop-kind": "breakdown",
        "stop-started_at": format_jalali(NOW() - dt.timedelta(hours=20), persian=False),
        "stop-ended_at": format_jalali(NOW() - dt.timedelta(hours=8), persian=False),
        "stop-place": "Km 40 Tabriz road",
        "stop-confirmed_by": "Sgt. Rahimi, highway police Marand",
    }
    assert client.post(url, data).status_code == 302
    stop = PermitStop.objects.get()
    assert stop.confirmed_by.startswith("Sgt. Rahimi") and stop.recorded_by == dest_clerk
    page = client.get(reverse("declarations:detail", args=[foreign.pk])).content.decode()
    assert f'data-stop="{stop.pk}"' in page and "Sgt. Rahimi" in page


def test_the_shipped_road_distances_are_plausible_and_never_overwrite_an_edit(bazargan, tehran, sarakhs):
    # Bazargan–Tehran is about 950 km by road; Tehran–Sarakhs about 1,000.
    assert 850 <= road_km("BZG", "THR") <= 1100
    assert 850 <= road_km("THR", "SRK") <= 1150
    RoadDistance.objects.create(office_a=tehran, office_b=bazargan, km=940)  # an administrator's correction
    assert ensure_road_distances() == 2  # BZG–SRK and SRK–THR; BZG–THR is there the other way round
    assert RoadDistance.table()[(bazargan.pk, tehran.pk)] == 940
    assert ensure_road_distances() == 0


def test_road_distances_and_tir_parks_are_edited_in_the_admin_by_headquarters(client, hq, bazargan, tehran):
    from accounts.models import User

    User.objects.filter(pk=hq.pk).update(is_staff=True)
    client.force_login(User.objects.get(pk=hq.pk))
    response = client.post(
        reverse("admin:declarations_roaddistance_add"), {"office_a": bazargan.pk, "office_b": tehran.pk, "km": "955"}
    )
    assert response.status_code == 302 and RoadDistance.objects.get().km == 955
    response = client.post(
        reverse("admin:declarations_tirpark_add"),
        {"name": "TIR park Marand", "office": bazargan.pk, "latitude": "38.43", "longitude": "45.77", "active": "on"},
    )
    assert response.status_code == 302


@pytest.mark.persian
def test_the_permit_events_read_in_persian_with_the_route_in_its_direction(
    foreign, bazargan, tehran, origin_clerk, dest_clerk
):
    """The timeline said «TP-1: BZG → THR, 96h» and «TP-1: 12000 kg»: English units, an arrow pointing back
    to the origin in a right-to-left line. It now reads as the page does, the permit number isolated."""
    GoodsItem.objects.create(
        declaration=foreign, line_no=1, hs_code="252329", description="cement", quantity=24, unit="t",
        gross_weight_kg=Decimal("24000"),
    )  # fmt: skip
    permit = record(foreign, bazargan, tehran, origin_clerk, goods_weight_kg=Decimal("12000"))
    permits.traffic_permit_exit(permit=permit, at=NOW() - dt.timedelta(hours=1), by=dest_clerk)
    messages = dict(DeclarationEvent.objects.filter(declaration=foreign).values_list("kind", "message"))
    no = "\u2066TP-1\u2069"
    # The offices by name, as the rest of the page names them (they read «BZG ← THR»).
    assert messages["traffic_permit"] == f"پروانه {no}: گمرک بازرگان ← گمرک تهران، ۹۶ ساعت مجاز"
    assert messages["permit_goods_mismatch"] == f"پروانه {no} وزن کالا را ۱۲٬۰۰۰ کیلوگرم نوشته است"
    assert messages["traffic_permit_exit"] == f"پروانه {no}: خروج از گمرک تهران"


def test_a_permit_weight_is_no_goods_mismatch_when_the_declaration_gives_no_weight(
    foreign, bazargan, tehran, origin_clerk
):
    GoodsItem.objects.create(
        declaration=foreign, line_no=1, hs_code="252329", description="cement", quantity=24, unit="t", gross_weight_kg=0
    )
    record(foreign, bazargan, tehran, origin_clerk, goods_weight_kg=Decimal("12000"), goods_description="cement")
    foreign.refresh_from_db()
    assert not foreign.permit_goods_mismatch and not _holds(foreign, "permit_goods")  # unknown is not 0 kg
    assert not DeclarationEvent.objects.filter(declaration=foreign, kind="permit_goods_mismatch").exists()
