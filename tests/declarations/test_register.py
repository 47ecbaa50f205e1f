"""Registering a declaration by hand while ICS is down (directive point 7): the form and the API,
checked by the import's validator, written by the import's writer, audited, with the role rules."""

import datetime as dt
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from core.dates import format_jalali
from declarations.importer import import_rows
from declarations.models import DeclarationEvent, GoodsItem, Source, Status, TransitDeclaration
from tests.factories import DeclarationFactory

pytestmark = pytest.mark.django_db
URL = reverse("declarations:register")
# A declaration registered by hand is declared at most DECLARATION_MAX_BACKDATE_DAYS back: yesterday's time.
DECLARED_AT = timezone.now() - dt.timedelta(days=1)


def _form(origin, destination, **changes):
    data = {
        "serial": "HAND-0001",
        "declared_at": format_jalali(DECLARED_AT),
        "origin": str(origin.pk),
        "destination": str(destination.pk),
        "route": "",
        "plate_country": "IR",
        "plate": "12ب34565",
        "driver_name": "علی رضایی",
        "driver_national_id": "0013542419",
        "company_name": "ترابر",
        "company_reg_no": "R123",
        "waybill_no": "WB-77",
        "seals": "S1, S2",
        "containers": "MSKU1234565",
        "mrn": "",
        "guarantee_amount": "1000000",
        "goods-TOTAL_FORMS": "3",
        "goods-INITIAL_FORMS": "0",
        "goods-MIN_NUM_FORMS": "1",
        "goods-MAX_NUM_FORMS": "50",
        "goods-0-hs_code": "8517.13",
        "goods-0-description": "گوشی تلفن همراه",
        "goods-0-quantity": "100",
        "goods-0-unit": "عدد",
        "goods-0-gross_weight_kg": "250",
        "goods-0-value": "15000",
        "goods-0-goods_serials": "356938035643809",
    }
    data.update(changes)
    return data


def _beside(html: str, name: str) -> str:
    """The field's markup up to the next field: where its errors are shown."""
    form = html.split('id="register-form"', 1)[1]
    return form.split(f'name="{name}"', 1)[1].split('<div class="mb-2">', 1)[0]


def test_an_office_registers_from_its_own_office_with_goods_event_and_audit(client, origin_clerk, bazargan, tehran):
    client.force_login(origin_clerk)
    page = client.get(URL).content.decode()
    origin_select = page.split('name="origin"', 1)[1].split("</select>", 1)[0]
    assert "BZG" in origin_select and "THR" not in origin_select  # only its own office as origin
    response = client.post(URL, _form(bazargan, tehran))
    assert response.status_code == 302
    d = TransitDeclaration.objects.get(serial="HAND-0001")
    assert response.url == reverse("declarations:detail", args=[d.pk])
    assert d.status == Status.REGISTERED and d.status_source == Source.HAND
    assert d.status_changed_by == origin_clerk
    assert d.route == ["BZG", "THR"] and d.seal_numbers == ["S1", "S2"] and d.container_numbers == ["MSKU1234565"]
    assert d.vehicle.plate == "12ب34565" and d.driver.national_id == "0013542419"
    assert list(GoodsItem.objects.filter(declaration=d).values_list("hs_code", "line_no")) == [("851713", 1)]
    event = DeclarationEvent.objects.get(declaration=d)
    assert event.kind == "register" and event.actor == origin_clerk and event.source == Source.HAND
    assert LogEntry.objects.get_for_object(d).filter(action=LogEntry.Action.CREATE, actor=origin_clerk).exists()
    detail = client.get(response.url).content.decode()
    assert "entered by hand" in detail and "Registered by hand" in detail


def test_an_empty_form_shows_errors_beside_the_fields_and_writes_nothing(client, hq):
    client.force_login(hq)
    response = client.post(URL, {"goods-TOTAL_FORMS": "2", "goods-INITIAL_FORMS": "0", "goods-MIN_NUM_FORMS": "1"})
    assert response.status_code == 400
    html = response.content.decode()
    for name in ("serial", "declared_at", "origin", "destination", "plate"):
        assert "invalid-feedback" in _beside(html, name), name
    assert 'id="goods-errors"' in html  # at least one goods line
    assert not TransitDeclaration.objects.exists()


def test_wrong_values_are_refused_by_the_import_validators_beside_each_field(client, hq, bazargan, tehran):
    client.force_login(hq)
    bad = _form(
        bazargan,
        tehran,
        serial="x",
        plate="12X3456",
        driver_national_id="0013542418",  # wrong check digit
        containers="MSKU1234560",  # wrong check digit
        mrn="23IR12345678901234",
        route="BZG;NOPE;THR",
        **{"goods-0-hs_code": "85", "goods-0-quantity": "0"},
    )
    response = client.post(URL, bad)
    assert response.status_code == 400
    html = response.content.decode()
    for name in ("serial", "plate", "driver_national_id", "containers", "mrn", "route", "goods-0-hs_code"):
        assert "invalid-feedback" in _beside(html, name), name
    assert "unknown office code" in _beside(html, "route")
    assert not TransitDeclaration.objects.exists() and not GoodsItem.objects.exists()


def test_a_stored_serial_is_refused_beside_the_serial(client, hq, bazargan, tehran):
    DeclarationFactory(serial="HAND-0001", origin=bazargan, destination=tehran)
    client.force_login(hq)
    response = client.post(URL, _form(bazargan, tehran))
    assert response.status_code == 400
    assert "already stored" in _beside(response.content.decode(), "serial")
    assert TransitDeclaration.objects.count() == 1


def test_roles_another_origin_and_the_inspector_are_refused(
    client, origin_clerk, inspector, dest_clerk, bazargan, tehran
):
    client.force_login(inspector)
    assert client.get(URL).status_code == 403
    assert client.post(URL, _form(bazargan, tehran)).status_code == 403
    client.force_login(dest_clerk)  # Tehran's clerk may not register a declaration leaving Bazargan
    response = client.post(URL, _form(bazargan, tehran))
    assert response.status_code == 400 and "invalid-feedback" in _beside(response.content.decode(), "origin")
    assert not TransitDeclaration.objects.exists()


def test_the_ics_export_of_the_same_declaration_is_recognised_as_it(client, origin_clerk, bazargan, tehran):
    client.force_login(origin_clerk)
    client.post(URL, _form(bazargan, tehran))
    row = {
        "serial": "HAND-0001",
        "declared_at": format_jalali(DECLARED_AT, persian=False),
        "origin": "BZG",
        "destination": "THR",
        "plate": "12 ب 345 ایران 65",
        "waybill_no": "WB-77",
        "hs_code": "851713",
        "description": "گوشی تلفن همراه",
        "quantity": "100",
    }
    summary = import_rows([(2, row)], source_ref="ICS export", by=None)
    assert summary.unchanged == 1 and summary.created == 0 and not summary.rejected


def _api_body(**changes):
    body = {
        "serial": "API-HAND-1",
        "declared_at": format_jalali(DECLARED_AT, persian=False),
        "origin": "BZG",
        "destination": "THR",
        "plate": "34ABC123",
        "plate_country": "TR",
        "driver_name": "Mehmet",
        "driver_passport": "U1234567",
        "seals": ["S9"],
        "goods": [{"hs_code": "870323", "description": "cars", "quantity": "2", "goods_serials": ["VIN1"]}],
    }
    body.update(changes)
    return body


@pytest.mark.parametrize("deadline", ["1900-01-01T10:00:00Z", "1404/05/12 10:00"])
def test_a_deadline_before_the_declaration_is_a_400_naming_it(origin_clerk, bazargan, tehran, deadline):
    """It was stored: the declaration was overdue before it was declared, and a 1900 deadline came
    back as ``1900-01-01T13:25:44+03:25:44`` (Tehran's pre-1946 offset), no RFC 3339 time."""
    api = APIClient()
    api.force_authenticate(origin_clerk)
    response = api.post("/api/declarations/", _api_body(deadline=deadline), format="json")
    assert response.status_code == 400 and list(response.json()["error"]["fields"]) == ["deadline"]
    assert not TransitDeclaration.objects.exists()


def test_the_api_registers_with_the_same_rules(origin_clerk, dest_clerk, inspector, bazargan, tehran):
    api = APIClient()
    api.force_authenticate(origin_clerk)
    response = api.post("/api/declarations/", _api_body(containers=["MSKU1234560"]), format="json")
    assert response.status_code == 400 and "containers" in response.json()["error"]["fields"]
    response = api.post("/api/declarations/", _api_body(goods=[]), format="json")
    assert response.status_code == 400 and "goods" in response.json()["error"]["fields"]
    assert not TransitDeclaration.objects.exists()
    api.force_authenticate(inspector)
    assert api.post("/api/declarations/", _api_body(), format="json").status_code == 403
    api.force_authenticate(dest_clerk)
    assert api.post("/api/declarations/", _api_body(), format="json").status_code == 403  # not its origin
    assert not TransitDeclaration.objects.exists()
    api.force_authenticate(origin_clerk)
    response = api.post("/api/declarations/", _api_body(), format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["serial"] == "API-HAND-1" and body["status"] == "registered" and body["status_source"] == "hand"
    assert body["vehicle"]["country"] == "TR" and body["goods"][0]["serials"] == ["VIN1"]
    assert DeclarationEvent.objects.filter(declaration_id=body["id"], kind="register", actor=origin_clerk).exists()


def test_the_timeline_of_a_hand_registered_declaration_shows_no_raw_relation_dumps(
    client, origin_clerk, bazargan, tehran
):
    """Its registration entry names the fields it was made with (its audit "created" entry's); the declaration's
    scans, letters … (reverse relations, which auditlog notes as "scans.Scan.None") are left out: they have
    timeline items of their own."""
    client.force_login(origin_clerk)
    response = client.post(URL, _form(bazargan, tehran))
    detail = client.get(response.url).content.decode()
    timeline = detail.split('id="timeline"', 1)[1].split("</ol>", 1)[0]
    assert 'serial: <span class="ident">\u2066HAND-0001\u2069</span>' in timeline
    assert ".None" not in timeline and "scans.Scan" not in timeline and "FollowUpLetter" not in timeline


@pytest.mark.persian
def test_the_timelines_audit_entries_keep_identifiers_in_their_own_order(client, origin_clerk, bazargan, tehran):
    """A serial in a right-to-left sentence is isolated, as everywhere else on the page."""
    client.force_login(origin_clerk)
    response = client.post(URL, _form(bazargan, tehran))
    d = TransitDeclaration.objects.get(pk=int(response.url.rstrip("/").rsplit("/", 1)[1]))
    detail = client.get(response.url).content.decode()
    timeline = detail.split('id="timeline"', 1)[1].split("</ol>", 1)[0]
    assert f"\u2066{d.serial}\u2069" in timeline


@pytest.mark.persian
def test_a_plate_or_identifier_that_is_none_is_refused_in_persian_with_the_value_isolated(client, hq, bazargan, tehran):
    client.force_login(hq)
    bad = _form(
        bazargan,
        tehran,
        plate="HELLO",
        driver_national_id="0013542418",
        containers="MSKU1234560",
        mrn="23IR12345678901234",
    )
    html = client.post(URL, bad).content.decode()
    assert "«\u2066HELLO\u2069» پلاک ایرانی نیست" in _beside(html, "plate")
    assert "رقم کنترل کد ملی \u20660013542418\u2069 نادرست است" in _beside(html, "driver_national_id")
    assert "رقم کنترل شمارهٔ کانتینر \u2066MSKU1234560\u2069 نادرست است" in _beside(html, "containers")
    assert "MRN \u206623IR12345678901234\u2069" in _beside(html, "mrn")
    html = client.post(URL, _form(bazargan, tehran, plate_country="TR", plate="!!!??")).content.decode()
    assert "«\u2066!!!??\u2069» پلاک خارجی نیست" in _beside(html, "plate")
    assert "is not" not in html and "fails its" not in html


@pytest.mark.persian
def test_no_goods_line_is_refused_in_persian_above_the_goods(client, hq, bazargan, tehran):
    client.force_login(hq)
    empty = {f"goods-0-{name}": "" for name in ("hs_code", "description", "quantity", "unit", "goods_serials")}
    response = client.post(
        URL, _form(bazargan, tehran, **empty, **{"goods-0-gross_weight_kg": "", "goods-0-value": ""})
    )
    assert response.status_code == 400
    errors = response.content.decode().split('id="goods-errors"', 1)[1].split("</div></div>", 1)[0]
    assert "دست‌کم یک ردیف کالا" in errors and "Please submit" not in errors
    assert not TransitDeclaration.objects.exists()
    line = {"hs_code": "8517.13", "description": "گوشی", "quantity": "1"}
    many = {f"goods-{i}-{k}": v for i in range(51) for k, v in line.items()}
    html = client.post(URL, _form(bazargan, tehran, **many, **{"goods-TOTAL_FORMS": "51"})).content.decode()
    assert "حداکثر ۵۰ ردیف کالا" in html.split('id="goods-errors"', 1)[1] and "Please submit" not in html


@pytest.mark.parametrize("amount", ["۱۲۳٬۰۰۰", "۱۲۳،۰۰۰", "123,000", "۱۲۳۰۰۰٫۰"])
def test_an_amount_and_a_serial_typed_on_a_persian_keyboard_are_taken(client, hq, bazargan, tehran, amount):
    client.force_login(hq)
    form = _form(bazargan, tehran, serial="۱۴۰۵-BZG-۰۰۰۰۹۹۹۹", guarantee_amount=amount)
    response = client.post(URL, {**form, "goods-0-value": "۱٬۵۰۰٫۵"})
    assert response.status_code == 302, response.content.decode()
    d = TransitDeclaration.objects.get()
    assert d.serial == "1405-BZG-00009999" and d.guarantee_amount == 123000
    assert GoodsItem.objects.get().value == Decimal("1500.5")


@pytest.mark.persian
def test_weight_value_and_guarantee_left_empty_show_a_dash_not_zero(client, hq, bazargan, tehran):
    client.force_login(hq)
    empty = {"guarantee_amount": "", "goods-0-gross_weight_kg": "", "goods-0-value": ""}
    response = client.post(URL, _form(bazargan, tehran, **empty))
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    guarantee = page.split("تضمین</dt>", 1)[1].split("</dd>", 1)[0]
    assert guarantee.strip().endswith(">—") and "۰" not in guarantee and "ریال" not in guarantee
    line = page.split('id="goods-h"', 1)[1].split("</tr>", 2)[1]
    assert line.count('<td class="text-end">—</td>') == 2 and "۰٫۰۰" not in line
    filled = client.post(URL, _form(bazargan, tehran, serial="HAND-0002", guarantee_ref="G-9"))
    page = client.get(filled.url).content.decode()
    assert "۱٬۰۰۰٬۰۰۰ ریال" in page and '<td class="text-end">۲۵۰</td>' in page


def _hours_ahead(hours: float, *, persian: bool = False) -> str:
    from django.utils import timezone

    from core.dates import format_jalali

    return format_jalali(timezone.now() + dt.timedelta(hours=hours), persian=persian)


def test_a_declaration_time_hours_ahead_is_refused_beside_it_and_minutes_are_not(
    client, origin_clerk, bazargan, tehran
):
    """The tester's ۰۸:۳۰ typed at ۰۴:۳۵ in Tehran was taken: the import's check allowed a day ahead."""
    client.force_login(origin_clerk)
    response = client.post(URL, _form(bazargan, tehran, declared_at=_hours_ahead(4, persian=True)))
    assert response.status_code == 400
    assert "is in the future: it is now" in _beside(response.content.decode(), "declared_at")
    assert not TransitDeclaration.objects.exists()
    response = client.post(URL, _form(bazargan, tehran, declared_at=_hours_ahead(0.05)))  # three minutes
    assert response.status_code == 302 and TransitDeclaration.objects.filter(serial="HAND-0001").exists()


@pytest.mark.persian
def test_the_api_refuses_a_declaration_time_hours_ahead_naming_it_in_persian(origin_clerk, bazargan, tehran):
    api = APIClient()
    api.force_authenticate(origin_clerk)
    at = _hours_ahead(2)
    response = api.post("/api/declarations/", _api_body(declared_at=at), format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert list(error["fields"]) == ["declared_at"]
    assert _hours_ahead(2, persian=True)[:10] in error["message"] and "در آینده است؛ اکنون" in error["message"]
    assert not TransitDeclaration.objects.exists()


@pytest.mark.parametrize("text", ["NaN", "Infinity"])
def test_a_number_that_is_no_number_is_refused_beside_its_field_on_the_form(client, hq, bazargan, tehran, text):
    """«NaN» in a goods line's quantity or the guarantee was a 500; «Infinity» was called negative."""
    client.force_login(hq)
    response = client.post(URL, _form(bazargan, tehran, guarantee_amount=text, **{"goods-0-quantity": text}))
    assert response.status_code == 400
    html = response.content.decode()
    for name in ("guarantee_amount", "goods-0-quantity"):
        assert "is not a number" in _beside(html, name), name
    assert not TransitDeclaration.objects.exists()
