"""Every camera sighting of a foreign truck is checked against its traffic permit (executive regulation
of the foreign-vehicle traffic law, Art. 2, 6, 11, 12): reads posted by cameras, matched, and the
permit's findings on the declaration's page, signals and timeline."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from anpr import ingest, services
from declarations import monitoring, permits
from declarations.models import DeclarationEvent, RoadDistance, TirPark, TrafficPermit, TransitDeclaration
from declarations.services import declaration_depart
from notifications.messages import Message
from tests.factories import DeclarationFactory, OfficeFactory, VehicleFactory

pytestmark = pytest.mark.django_db
PLATE = "34ABC123"


@pytest.fixture
def tabriz(bazargan):
    return OfficeFactory(code="TBZ", name_en="Tabriz", province=bazargan.province, kind="inland")


@pytest.fixture
def trip(bazargan, tabriz, tehran, sarakhs):
    """A Turkish truck entering at Bazargan for Tehran by Tabriz, permit for 5 days, one driver."""
    for a, b, km in [(bazargan, tabriz, 290), (tabriz, tehran, 630), (bazargan, tehran, 920), (tehran, sarakhs, 1000)]:
        RoadDistance.objects.create(office_a=a, office_b=b, km=km)
    for office in (bazargan, tabriz, tehran, sarakhs):
        office.kind = "inland" if office is tabriz else "border"
        office.save()
    truck = VehicleFactory(plate=PLATE, country="TR")
    start = timezone.now() - dt.timedelta(hours=60)
    d = DeclarationFactory(
        origin=bazargan,
        destination=tehran,
        vehicle=truck,
        vehicle_country="TR",
        route=["BZG", "TBZ", "THR"],
        declared_at=start - dt.timedelta(hours=2),  # declared before it left
    )
    permit = permits.traffic_permit_record(
        declaration=d,
        permit_no="TP-77",
        entry_office=bazargan,
        exit_office=tehran,
        allowed_hours=120,
        issued_at=start - dt.timedelta(hours=1),
        route=["BZG", "TBZ", "THR"],
        fuel_receipt_no="F-1",
        fuel_receipt_date=(start - dt.timedelta(days=1)).date(),
        fuel_receipt_amount=Decimal(9_000_000),
        has_international_licence=True,
        has_insurance_card=True,
        has_tax_booklet=True,
    )
    declaration_depart(declaration=d, by=None, at=start)
    cams = {}
    for office in (bazargan, tabriz, tehran, sarakhs):
        cams[office.code], _token = services.camera_register(office=office, code=f"{office.code}-C", direction="in")
    return d, permit, start, cams


def read(camera, at):
    ingest.reads_ingest(
        camera=camera, items=[ingest.ReadInput(captured_at=at, plate_raw=PLATE, country="TR")], match_inline=True
    )


def _holds(d, key):
    return monitoring.filter_signal(TransitDeclaration.objects.all(), key).filter(pk=d.pk).exists()


def test_a_read_off_the_permitted_route_at_another_border_is_a_signal(client, hq, trip):
    d, permit, start, cams = trip
    read(cams["BZG"], start + dt.timedelta(minutes=5))
    read(cams["SRK"], start + dt.timedelta(hours=40))
    permit.refresh_from_db()
    d.refresh_from_db()
    assert permit.off_route_at == start + dt.timedelta(hours=40)
    assert permit.findings["wrong_exit"]["office"] == "SRK"
    assert _holds(d, "off_route")
    kinds = set(DeclarationEvent.objects.filter(declaration=d).values_list("kind", flat=True))
    assert {"permit_off_route", "permit_wrong_exit"} <= kinds
    client.force_login(hq)
    page = client.get(reverse("declarations:detail", args=[d.pk])).content.decode()
    assert 'data-finding="wrong_exit"' in page and 'data-finding="off_route"' in page
    assert permit.exited_at is None  # not the exit border: the permit stays open


def test_the_findings_name_the_offices_in_the_readers_language(client, hq, trip):
    """«Seen at SRK, off the permitted route BZG → TBZ → THR»: codes a reader had to decode. New findings name
    the offices; a finding written before keeps the words it was written with (evidence)."""
    from django.utils import translation

    d, permit, start, cams = trip
    old = DeclarationEvent.objects.create(
        declaration=d,
        kind="permit_off_route",
        at=start,
        **DeclarationEvent.message_fields(
            Message("Seen at %(office)s, off the permitted route %(route)s.", office="SRK", route="BZG → THR")
        ),
    )
    read(cams["BZG"], start + dt.timedelta(minutes=5))
    read(cams["SRK"], start + dt.timedelta(hours=40))
    event = DeclarationEvent.objects.get(declaration=d, kind="permit_off_route", pk__gt=old.pk)
    with translation.override("fa"):
        fa = event.message_text()
        assert fa.startswith("در گمرک سرخس دیده شد، بیرون از مسیر مجاز گمرک بازرگان ← ") and fa.endswith(
            "← گمرک تهران."
        )
    with translation.override("en"):
        assert event.message_text() == "Seen at Sarakhs, off the permitted route Bazargan → Tabriz → Tehran."
        wrong_exit = DeclarationEvent.objects.get(declaration=d, kind="permit_wrong_exit").message_text()
        assert wrong_exit == "Seen at the border Sarakhs; the permit's exit border is Tehran."
        old.refresh_from_db()
        assert old.message_text() == "Seen at SRK, off the permitted route BZG → THR."
    client.force_login(hq)
    page = client.get(reverse("declarations:detail", args=[d.pk])).content.decode()
    assert "Seen at Sarakhs, off the permitted route Bazargan" in page


def test_a_read_at_the_exit_border_closes_the_permit(trip):
    d, permit, start, cams = trip
    read(cams["BZG"], start + dt.timedelta(minutes=5))
    read(cams["TBZ"], start + dt.timedelta(hours=6))
    read(cams["THR"], start + dt.timedelta(hours=30))
    permit.refresh_from_db()
    d.refresh_from_db()
    assert permit.exited_at == start + dt.timedelta(hours=30) and permit.exit_source == "read"
    assert d.permit_expires_at is None and not _holds(d, "permit_expired")
    assert permit.off_route_at is None and permit.overdrive_at is None and permit.gap_at is None
    assert DeclarationEvent.objects.filter(declaration=d, kind="traffic_permit_exit", actor=None).exists()


def test_a_camera_posting_the_read_at_the_exit_border_closes_the_permit_in_its_own_name(trip, settings):
    # Over the API a small batch is matched in the request: the permit's change is audited with the
    # camera as its actor (a camera's token is not a user account).
    settings.ANPR_MATCH_IN_REQUEST_MAX = 20
    from core.models import AuditSeal
    from tests.anpr.conftest import camera_client

    d, permit, start, cams = trip
    read(cams["BZG"], start + dt.timedelta(minutes=5))
    cams["THR"].token = services.camera_rotate_token(camera=cams["THR"])[1]
    at = (timezone.now() - dt.timedelta(minutes=3)).replace(microsecond=0)
    response = camera_client(cams["THR"]).post(
        "/api/anpr/reads/", {"captured_at": at.isoformat(), "plate": PLATE, "country": "TR"}, format="json"
    )
    assert response.status_code == 201, response.content
    permit.refresh_from_db()
    assert permit.exited_at == at and permit.exit_source == "read"
    seal = AuditSeal.objects.filter(entry__object_pk=str(permit.pk), entry__content_type__model="trafficpermit").latest(
        "seq"
    )
    assert (seal.actor_name, seal.actor_role) == ("camera:THR-C", "camera")


def test_sightings_implying_more_than_ten_hours_of_driving_are_a_signal(trip):
    # Art. 11: Bazargan → Tabriz → Tehran, 920 km, in 12 hours: at least 11.5 h at 80 km/h, each leg
    # alone at a possible pace (290 km in 4 h, 630 km in 8 h) but more than 10 h of driving in the day.
    d, permit, start, cams = trip
    read(cams["BZG"], start + dt.timedelta(minutes=5))
    read(cams["TBZ"], start + dt.timedelta(hours=4, minutes=5))
    read(cams["THR"], start + dt.timedelta(hours=12, minutes=5))
    permit.refresh_from_db()
    d.refresh_from_db()
    assert permit.overdrive_at == start + dt.timedelta(hours=12, minutes=5)
    assert d.permit_overdrive_at == permit.overdrive_at and _holds(d, "permit_overdrive")
    event = DeclarationEvent.objects.get(declaration=d, kind="permit_overdrive")
    assert "920 km" in event.message


def test_a_long_gap_is_a_signal_unless_the_truck_stayed_at_a_tir_park(trip, bazargan, tabriz):
    # Art. 12: 290 km Bazargan → Tabriz allows ~15.7 h at 30 km/h + 6 h; unseen for 40 h.
    d, permit, start, cams = trip
    read(cams["BZG"], start + dt.timedelta(minutes=5))
    read(cams["TBZ"], start + dt.timedelta(hours=40))
    permit.refresh_from_db()
    d.refresh_from_db()
    assert permit.gap_at == start + dt.timedelta(hours=40) and _holds(d, "permit_gap")

    # The same trip with a stay at the TIR park of Tabriz, its camera recording entry and exit.
    park = TirPark.objects.create(name="TIR park Tabriz", office=tabriz, latitude=38.1, longitude=46.2)
    park_cam, _t = services.camera_register(office=tabriz, code="TBZ-TIR", direction="in", tir_park=park)
    truck2 = VehicleFactory(plate="06XYZ99", country="TR")
    d2 = DeclarationFactory(
        origin=bazargan,
        destination=d.destination,
        vehicle=truck2,
        vehicle_country="TR",
        route=["BZG", "TBZ", "THR"],
        declared_at=start - dt.timedelta(hours=2),
    )
    p2 = permits.traffic_permit_record(
        declaration=d2,
        permit_no="TP-78",
        entry_office=bazargan,
        exit_office=d.destination,
        allowed_hours=120,
        issued_at=start,
        route=["BZG", "TBZ", "THR"],
    )
    declaration_depart(declaration=d2, by=None, at=start)
    for camera, hours in [(cams["BZG"], 0.1), (park_cam, 8), (park_cam, 30), (cams["TBZ"], 40)]:
        ingest.reads_ingest(
            camera=camera,
            items=[ingest.ReadInput(captured_at=start + dt.timedelta(hours=hours), plate_raw="06XYZ99", country="TR")],
            match_inline=True,
        )
    p2.refresh_from_db()
    assert p2.gap_at is None and p2.off_route_at is None


def test_rejecting_the_match_that_made_a_finding_clears_it(trip, dest_clerk, hq):
    from anpr.match_review import match_review
    from anpr.models import PlateMatch

    d, permit, start, cams = trip
    read(cams["BZG"], start + dt.timedelta(minutes=5))
    read(cams["SRK"], start + dt.timedelta(hours=40))
    match = PlateMatch.objects.get(read__office__code="SRK")
    PlateMatch.objects.filter(pk=match.pk).update(exact=False, score=0.9)
    match_review(match=PlateMatch.objects.get(pk=match.pk), decision="rejected", by=hq, note="another truck")
    permit.refresh_from_db()
    d.refresh_from_db()
    assert permit.off_route_at is None and d.off_route_read_at is None and not _holds(d, "off_route")
    assert TrafficPermit.objects.get(pk=permit.pk).findings == {}
