"""Traffic permits of foreign trucks: recorded at entry on a page and through the API, their validity
shown and listed, their exit recorded; every path through the service, so the signal follows."""

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from core.dates import format_jalali
from declarations import monitoring, permits, services
from declarations.models import DeclarationEvent, TrafficPermit, TransitDeclaration
from tests.factories import DeclarationFactory, VehicleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def foreign(bazargan, tehran):
    truck = VehicleFactory(plate="34ABC123", country="TR")
    d = DeclarationFactory(
        origin=bazargan,
        destination=tehran,
        vehicle=truck,
        vehicle_country="TR",
        declared_at=timezone.now() - dt.timedelta(days=4),  # declared before it left
    )
    services.declaration_depart(declaration=d, by=None, at=timezone.now() - dt.timedelta(days=3))
    d.refresh_from_db()
    return d


def _expired(d) -> bool:
    return monitoring.filter_signal(TransitDeclaration.objects.all(), "permit_expired").filter(pk=d.pk).exists()


def _beside(html: str, name: str) -> str:
    form = html.split('id="permit-form"', 1)[1]
    return form.split(f'name="permit-{name}"', 1)[1].split('<div class="mb-2">', 1)[0]


def _form(bazargan, tehran, **changes):
    data = {
        "permit-permit_no": "TP-1001",
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
        "permit-has_international_licence": "on",
        "permit-has_insurance_card": "on",
        "permit-has_tax_booklet": "on",
    }
    data.update(changes)
    return data


def test_the_entry_office_records_the_permit_and_the_signal_follows(client, origin_clerk, foreign, bazargan, tehran):
    client.force_login(origin_clerk)
    page = client.get(reverse("declarations:detail", args=[foreign.pk])).content.decode()
    assert 'id="no-permit"' in page and reverse("declarations:permit-new", args=[foreign.pk]) in page
    url = reverse("declarations:permit-new", args=[foreign.pk])
    response = client.post(url, {"permit-route": ""})
    assert response.status_code == 400
    html = response.content.decode()
    for name in ("permit_no", "entry_office", "exit_office", "issued_at", "allowed_hours"):
        assert "invalid-feedback" in _beside(html, name), name
    response = client.post(url, _form(bazargan, tehran, **{"permit-allowed_hours": "0", "permit-route": "BZG;XXX"}))
    assert response.status_code == 400
    html = response.content.decode()
    assert "invalid-feedback" in _beside(html, "allowed_hours") and "XXX" in _beside(html, "route")
    assert not TrafficPermit.objects.exists()

    assert client.post(url, _form(bazargan, tehran)).status_code == 302
    permit = TrafficPermit.objects.get()
    foreign.refresh_from_db()
    assert foreign.permit_expires_at == permit.expires_at and _expired(foreign)
    assert permit.route == ["BZG", "THR"]  # the declaration's route when none is typed
    assert DeclarationEvent.objects.get(declaration=foreign, kind="traffic_permit").actor == origin_clerk
    assert LogEntry.objects.get_for_object(permit).filter(actor=origin_clerk).exists()
    page = client.get(reverse("declarations:detail", args=[foreign.pk])).content.decode()
    assert 'data-validity="expired"' in page and "TP-1001" in page
    # The same number twice is refused beside it.
    response = client.post(url, _form(bazargan, tehran))
    assert response.status_code == 400 and "already recorded" in _beside(response.content.decode(), "permit_no")


def test_who_may_record_and_an_iranian_truck_has_no_permit(
    client, dest_clerk, outsider, origin_clerk, foreign, declaration
):
    url = reverse("declarations:permit-new", args=[foreign.pk])
    client.force_login(dest_clerk)
    assert client.get(url).status_code == 403
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    client.force_login(origin_clerk)
    page = client.get(reverse("declarations:detail", args=[declaration.pk])).content.decode()
    assert 'id="permits"' not in page  # an Iranian truck: no permit section


def test_the_list_filters_by_validity_and_the_exit_closes_the_clock(
    client, hq, dest_clerk, origin_clerk, foreign, bazargan, tehran
):
    now = timezone.now()
    old = permits.traffic_permit_record(
        declaration=foreign,
        permit_no="OLD",
        entry_office=bazargan,
        exit_office=tehran,
        allowed_hours=48,
        issued_at=now - dt.timedelta(days=3),
        by=hq,
    )
    other = DeclarationFactory(origin=bazargan, destination=tehran, vehicle=VehicleFactory(plate="AM555", country="AM"))
    other.vehicle_country = "AM"
    other.save()
    permits.traffic_permit_record(
        declaration=other,
        permit_no="SOON",
        entry_office=bazargan,
        exit_office=tehran,
        allowed_hours=30,
        issued_at=now - dt.timedelta(hours=20),
        by=hq,
    )
    client.force_login(dest_clerk)
    listing = reverse("declarations:permits")
    assert 'data-permit="OLD"' in client.get(listing + "?validity=expired").content.decode()
    assert 'data-permit="SOON"' not in client.get(listing + "?validity=expired").content.decode()
    expiring = client.get(listing + "?validity=expiring").content.decode()
    assert 'data-permit="SOON"' in expiring and "expires in 9 hours and 59 min" in expiring  # never rounded up
    assert reverse("declarations:detail", args=[other.pk]) in expiring

    exit_url = reverse("declarations:permit-exit", args=[old.pk])
    assert exit_url in client.get(listing).content.decode()
    client.force_login(origin_clerk)  # neither the exit border nor the destination
    assert client.post(exit_url, {"exit-at": ""}).status_code == 403
    assert exit_url not in client.get(listing).content.decode()  # no button that leads to a refusal
    client.force_login(dest_clerk)
    response = client.post(exit_url, {"exit-at": "1300/01/01 10:00"})
    assert response.status_code == 400  # before the permit was issued
    assert client.post(exit_url, {"exit-at": ""}).status_code == 302
    old.refresh_from_db()
    foreign.refresh_from_db()
    assert old.exited_at is not None and foreign.permit_expires_at is None and not _expired(foreign)
    assert DeclarationEvent.objects.filter(declaration=foreign, kind="traffic_permit_exit", actor=dest_clerk).exists()
    assert 'data-permit="OLD"' in client.get(listing + "?validity=exited").content.decode()
    assert client.post(exit_url, {"exit-at": ""}).status_code == 409  # only once


@pytest.mark.parametrize("validity", ["soon", "Valid"])
def test_a_validity_that_is_not_one_shows_no_permits(client, hq, foreign, bazargan, tehran, validity):
    """``?validity=soon`` showed every permit (200), as though the list had been filtered."""
    permits.traffic_permit_record(
        declaration=foreign,
        permit_no="ANY-1",
        entry_office=bazargan,
        exit_office=tehran,
        allowed_hours=48,
        issued_at=timezone.now() - dt.timedelta(hours=5),
        by=hq,
    )
    client.force_login(hq)
    listing = reverse("declarations:permits")
    assert 'data-permit="ANY-1"' in client.get(listing).content.decode()
    response = client.get(listing, {"validity": validity})
    assert response.status_code == 400 and response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert "<html" in html and 'data-permit="ANY-1"' not in html
    errors = html.split('id="filter-errors"', 1)[1].split("</div></div>", 1)[0]
    assert "<strong>validity</strong>: Select a valid choice." in errors
    assert " active" not in html.split('id="permits"', 1)[0].split("nav-pills", 1)[1]  # no tab claims the list


@pytest.mark.persian
def test_a_validity_that_is_not_one_is_said_in_persian(client, hq, foreign):
    client.force_login(hq)
    response = client.get(reverse("declarations:permits"), {"validity": "soon"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "<strong>اعتبار</strong>: یک گزینهٔ معتبر انتخاب کنید" in html


def test_the_admin_cannot_add_or_change_a_permit(client, foreign, bazargan, tehran):
    from tests.factories import UserFactory

    admin = UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(admin)
    assert client.get(reverse("admin:declarations_trafficpermit_add")).status_code == 403


@pytest.mark.persian
def test_a_permit_for_a_declaration_outside_the_scope_or_absent_is_a_400_naming_it(foreign, outsider):
    """It was a 404 ("یافت نشد"), a status the schema does not give POST /api/permits/, naming no field."""
    api = APIClient()
    api.force_authenticate(outsider)
    body = {
        "permit_no": "API-9",
        "entry_office": "BZG",
        "exit_office": "THR",
        "allowed_hours": 240,
        "issued_at": (timezone.now() - dt.timedelta(days=1)).isoformat(),
    }
    outside = api.post("/api/permits/", {**body, "declaration": foreign.pk}, format="json")
    absent = api.post("/api/permits/", {**body, "declaration": 987654321}, format="json")
    for response in (outside, absent):
        assert response.status_code == 400, response.content
        error = response.json()["error"]
        assert list(error["fields"]) == ["declaration"] and "اظهارنامه" in error["message"]
    assert outside.json() == absent.json()


def test_a_permit_issued_before_1390_is_a_400_naming_it(origin_clerk, foreign):
    """Stored, its issue and expiry times came back with Tehran's pre-1946 offset (+03:25:44), which
    no ISO 8601 client parses."""
    api = APIClient()
    api.force_authenticate(origin_clerk)
    body = {
        "declaration": foreign.pk,
        "permit_no": "API-OLD",
        "entry_office": "BZG",
        "exit_office": "THR",
        "allowed_hours": 240,
        "issued_at": "1900-01-01T10:00:00Z",
    }
    response = api.post("/api/permits/", body, format="json")
    assert response.status_code == 400 and list(response.json()["error"]["fields"]) == ["issued_at"]
    assert not TrafficPermit.objects.exists()


@pytest.mark.persian
def test_an_unknown_office_of_a_permit_is_named_in_persian(origin_clerk, foreign):
    """It was English whatever the language: "exit_office: unknown office code 'NOPE'"."""
    api = APIClient()
    api.force_authenticate(origin_clerk)
    body = {
        "declaration": foreign.pk,
        "permit_no": "API-2",
        "entry_office": "BZG",
        "exit_office": "NOPE",
        "allowed_hours": 240,
        "issued_at": (timezone.now() - dt.timedelta(days=1)).isoformat(),
    }
    error = api.post("/api/permits/", body, format="json").json()["error"]
    assert list(error["fields"]) == ["exit_office"]
    assert error["fields"]["exit_office"] == ["کد گمرک «NOPE» شناخته نیست"]


def test_the_permits_api(origin_clerk, dest_clerk, foreign, bazargan, tehran):
    api = APIClient()
    api.force_authenticate(dest_clerk)
    body = {
        "declaration": foreign.pk,
        "permit_no": "API-1",
        "entry_office": "BZG",
        "exit_office": "THR",
        "allowed_hours": 240,
        "issued_at": (timezone.now() - dt.timedelta(days=1)).isoformat(),
    }
    assert api.post("/api/permits/", body, format="json").status_code == 403
    api.force_authenticate(origin_clerk)
    response = api.post("/api/permits/", {**body, "exit_office": "NOPE"}, format="json")
    assert response.status_code == 400 and "exit_office" in response.json()["error"]["fields"]
    response = api.post("/api/permits/", body, format="json")
    assert response.status_code == 201
    created = response.json()
    assert created["validity"] == "valid" and created["hours_left"] == 215  # whole hours, never rounded up
    foreign.refresh_from_db()
    assert foreign.permit_expires_at is not None
    assert [p["permit_no"] for p in api.get("/api/permits/?validity=valid").json()["results"]] == ["API-1"]
    assert api.get("/api/permits/?validity=expired").json()["results"] == []
    assert api.get("/api/permits/?validity=soon").status_code == 400
    assert api.post(f"/api/permits/{created['id']}/exit/", {}, format="json").status_code == 403
    api.force_authenticate(dest_clerk)
    exited = api.post(f"/api/permits/{created['id']}/exit/", {}, format="json").json()
    assert exited["validity"] == "exited"
    foreign.refresh_from_db()
    assert foreign.permit_expires_at is None


def test_the_permits_api_takes_jalali_times_in_any_digits_as_every_other_api_time(origin_clerk, dest_clerk, foreign):
    """``issued_at``, ``fuel_receipt_date`` and the exit's ``at`` took ISO only («Datetime has wrong format»),
    while a departure's ``at`` or a deadline takes the Jalali an officer reads off the permit."""
    issued = timezone.localtime(timezone.now() - dt.timedelta(days=1)).replace(second=0, microsecond=0)
    left = issued + dt.timedelta(hours=20)
    api = APIClient()
    api.force_authenticate(origin_clerk)
    body = {
        "declaration": foreign.pk,
        "permit_no": "API-J",
        "entry_office": "BZG",
        "exit_office": "THR",
        "allowed_hours": 240,
        "issued_at": format_jalali(issued),  # ۱۴۰۵/۰۹/۱۴ ۱۰:۳۰
        "fuel_receipt_no": "F-1",
        "fuel_receipt_date": format_jalali(issued, with_time=False).translate(
            str.maketrans("۰۱۲۳۴۵۶۷۸۹", "٠١٢٣٤٥٦٧٨٩")
        ),
    }
    response = api.post("/api/permits/", body, format="json")
    assert response.status_code == 201, response.content
    created = response.json()
    assert dt.datetime.fromisoformat(created["issued_at"]) == issued
    assert created["fuel_receipt_date"] == issued.date().isoformat()
    api.force_authenticate(dest_clerk)
    bad = api.post(f"/api/permits/{created['id']}/exit/", {"at": "1404/13/40 10:30"}, format="json")
    assert bad.status_code == 400 and list(bad.json()["error"]["fields"]) == ["at"]
    response = api.post(
        f"/api/permits/{created['id']}/exit/", {"at": format_jalali(left, persian=False)}, format="json"
    )
    assert response.status_code == 200, response.content
    assert dt.datetime.fromisoformat(response.json()["exited_at"]) == left


@pytest.mark.persian
def test_the_validity_reads_in_persian_with_persian_digits(client, hq, foreign, bazargan, tehran):
    permits.traffic_permit_record(
        declaration=foreign,
        permit_no="FA-1",
        entry_office=bazargan,
        exit_office=tehran,
        allowed_hours=80,
        issued_at=timezone.now() - dt.timedelta(hours=40),
        by=hq,
    )
    client.force_login(hq)
    page = client.get(reverse("declarations:detail", args=[foreign.pk])).content.decode()
    assert "معتبر، ۳۹ ساعت باقی‌مانده" in page and "ثبت خروج" in page


@pytest.mark.persian
def test_a_limit_is_named_beside_its_field_in_the_pages_digits(client, origin_clerk, foreign, bazargan, tehran):
    url = reverse("declarations:permit-new", args=[foreign.pk])
    client.force_login(origin_clerk)
    wrong = {"permit-drivers": "9", "permit-allowed_hours": "5000", "permit-fuel_receipt_amount": "12.5"}
    html = client.post(url, _form(bazargan, tehran, **wrong)).content.decode()
    assert "مقدار باید حداکثر ۴ باشد." in _beside(html, "drivers")
    assert "مقدار باید حداکثر ۱٬۴۴۰ باشد." in _beside(html, "allowed_hours")
    assert "یک عدد صحیح، بدون اعشار، وارد کنید." in _beside(html, "fuel_receipt_amount")
    assert not TrafficPermit.objects.exists()


def test_the_permit_s_route_and_trip_name_the_offices_as_the_rest_of_the_page(
    client, monkeypatch, origin_clerk, foreign, bazargan, tehran
):
    """The permit section wrote its route «BZG → THR» and each leg of the trip «BZG … | THR …» where the
    declaration's own route above it reads «Bazargan → Tehran»."""
    from declarations import hooks

    client.force_login(origin_clerk)
    assert (
        client.post(reverse("declarations:permit-new", args=[foreign.pk]), _form(bazargan, tehran)).status_code == 302
    )
    issued = TrafficPermit.objects.get().issued_at

    def sightings(declaration, office, user):  # the camera reads anpr would give: at the entry, then Tehran
        return [
            hooks.GateRead(
                at=issued + dt.timedelta(hours=hours),
                office_id=office_.pk,
                plate="34ABC123",
                declared_plate="34ABC123",
                score=1.0,
                exact=True,
                on_route=True,
                at_destination=office_ == tehran,
            )
            for hours, office_ in ((1, bazargan), (20, tehran))
        ]

    monkeypatch.setattr(hooks, "gate_reads", [sightings])
    html = client.get(reverse("declarations:detail", args=[foreign.pk])).content.decode()
    section = html.split('id="permits"', 1)[1].split("</section>", 1)[0]
    assert "Route: <bdi>Bazargan</bdi> → <bdi>Tehran</bdi>" in section, section
    trip = section.split('data-trip="TP-1001"', 1)[1].split("</table>", 1)[0]
    assert "<td><bdi>Bazargan</bdi>" in trip and "<td><bdi>Tehran</bdi>" in trip, trip
    assert "BZG" not in section and "THR" not in section


@pytest.mark.persian
def test_an_hour_for_an_895_km_route_is_refused_beside_the_hours_naming_the_least(
    client, origin_clerk, foreign, bazargan, tehran
):
    from declarations.models import RoadDistance

    RoadDistance.objects.create(office_a=bazargan, office_b=tehran, km=895)
    client.force_login(origin_clerk)
    url = reverse("declarations:permit-new", args=[foreign.pk])
    response = client.post(url, _form(bazargan, tehran, **{"permit-allowed_hours": "1"}))
    assert response.status_code == 400
    beside = _beside(response.content.decode(), "allowed_hours")
    assert "invalid-feedback" in beside and "دست‌کم ۱۰ ساعت" in beside and "۸۹۵" in beside  # 895 km at 90 km/h
    assert not TrafficPermit.objects.exists()
    # The API says the same of the field; ten hours is taken.
    api = APIClient()
    api.force_authenticate(origin_clerk)
    body = {
        "declaration": foreign.pk,
        "permit_no": "API-FAST",
        "entry_office": "BZG",
        "exit_office": "THR",
        "allowed_hours": 9,
        "issued_at": (timezone.now() - dt.timedelta(days=3)).isoformat(),
    }
    response = api.post("/api/permits/", body, format="json")
    assert response.status_code == 400 and list(response.json()["error"]["fields"]) == ["allowed_hours"]
    assert api.post("/api/permits/", {**body, "allowed_hours": 10}, format="json").status_code == 201
