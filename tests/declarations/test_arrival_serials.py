"""Art. 24 of the household-appliance anti-smuggling rules: the destination records the serials (or, for
goods without one, the tracking IDs: note 2) it finds; a mismatch with the declared serials is a
discrepancy, and the goods are not released (settlement blocked) while it is open; an authorised person
may override with a reason. The same gate applies to an escalated suspicious scan and a duplicate waybill.
"""

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from accounts.models import Role
from core.errors import IllegalTransition, InvalidInput, NotAllowed
from core.text import strip_isolates
from declarations import serials, services
from declarations.models import (
    ArrivalSerial,
    DeclarationEvent,
    DiscrepancyResolution,
    GoodsSerial,
    Review,
    SerialDiscrepancy,
    SettlementOverride,
    Status,
    TransitDeclaration,
)
from declarations.serials import SettlementBlocked
from notifications.models import Kind, Notification
from tests.factories import GoodsFactory, UserFactory

DECLARED = ["356938035643809", "356938035643817", "356938035643825"]


@pytest.fixture
def tehran_inspector(tehran_province):
    """The inspector of the destination's province, who may release its settlement (West Azerbaijan's may not)."""
    return UserFactory(username="thr_inspector", role=Role.INSPECTOR, province=tehran_province)


@pytest.fixture
def arrived(declaration):
    """A declaration of three phones with their IMEIs, arrived at Tehran and awaiting settlement."""
    item = GoodsFactory(declaration=declaration, line_no=1, serials=DECLARED)
    for value in DECLARED:
        GoodsSerial.objects.create(value=value, is_imei=True, declaration=declaration, goods_item=item)
    TransitDeclaration.objects.filter(pk=declaration.pk).update(
        status=Status.ARRIVED,
        departed_at=timezone.now() - dt.timedelta(days=1),
        arrived_at=timezone.now() - dt.timedelta(hours=2),
    )
    declaration.refresh_from_db()
    return declaration


def test_serials_that_match_the_declaration_open_no_discrepancy_and_settlement_goes_ahead(arrived, dest_clerk):
    result = serials.arrival_serials_record(declaration=arrived, values=DECLARED, by=dest_clerk)
    assert result.matches and result.found == result.declared == 3
    assert not SerialDiscrepancy.objects.exists()
    services.declaration_settle(declaration=arrived, by=dest_clerk)
    assert arrived.status == Status.SETTLED


def test_a_missing_and_an_extra_serial_are_a_discrepancy_that_blocks_settlement(arrived, dest_clerk):
    found = [DECLARED[0], DECLARED[1], "356938035643999"]
    result = serials.arrival_serials_record(declaration=arrived, values=found, by=dest_clerk)
    assert result.missing == [DECLARED[2]] and result.extra == ["356938035643999"]
    discrepancy = SerialDiscrepancy.objects.get(declaration=arrived)
    assert discrepancy.is_open and discrepancy.opened_by == dest_clerk

    with pytest.raises(SettlementBlocked) as exc:
        services.declaration_settle(declaration=arrived, by=dest_clerk)
    assert "arrival_serials" in exc.value.fields  # the API names the field
    arrived.refresh_from_db()
    assert arrived.status == Status.ARRIVED and arrived.settled_at is None
    kinds = set(DeclarationEvent.objects.filter(declaration=arrived).values_list("kind", flat=True))
    assert {"arrival_serials", "serial_discrepancy"} <= kinds


def test_tracking_ids_of_goods_without_a_serial_are_compared_like_serials(declaration, dest_clerk):
    """Note 2: goods without a serial carry a tracking ID; one found that was not declared differs."""
    TransitDeclaration.objects.filter(pk=declaration.pk).update(status=Status.ARRIVED)
    declaration.refresh_from_db()
    result = serials.arrival_serials_record(
        declaration=declaration, values=["TRK-0001"], kind="tracking", by=dest_clerk
    )
    assert result.extra == ["TRK0001"]
    assert ArrivalSerial.objects.get(declaration=declaration).kind == "tracking"


def test_a_resolution_is_a_new_record_with_who_and_why_and_the_evidence_stays(arrived, dest_clerk):
    serials.arrival_serials_record(declaration=arrived, values=DECLARED[:2], by=dest_clerk)
    discrepancy = SerialDiscrepancy.objects.get()
    with pytest.raises(InvalidInput):
        serials.discrepancy_resolve(discrepancy=discrepancy, by=dest_clerk, reason="  ")
    serials.discrepancy_resolve(discrepancy=discrepancy, by=dest_clerk, reason="origin letter 1404/88: mistyped")
    discrepancy.refresh_from_db()
    assert not discrepancy.is_open and discrepancy.missing == [DECLARED[2]]  # unchanged
    assert DiscrepancyResolution.objects.get().by == dest_clerk
    with pytest.raises(IllegalTransition):
        serials.discrepancy_resolve(discrepancy=discrepancy, by=dest_clerk, reason="again")
    services.declaration_settle(declaration=arrived, by=dest_clerk)
    assert arrived.status == Status.SETTLED


def test_a_later_full_count_resolves_the_open_discrepancy_as_superseded(arrived, dest_clerk):
    serials.arrival_serials_record(declaration=arrived, values=DECLARED[:2], by=dest_clerk)
    serials.arrival_serials_record(declaration=arrived, values=DECLARED[2:], by=dest_clerk)
    resolution = DiscrepancyResolution.objects.get()
    assert resolution.superseded and resolution.by == dest_clerk
    assert serials.open_discrepancy(arrived) is None
    assert ArrivalSerial.objects.filter(declaration=arrived).count() == 3


def test_only_the_destination_or_headquarters_record_serials_and_only_after_arrival(
    declaration, origin_clerk, dest_clerk
):
    with pytest.raises(IllegalTransition):
        serials.arrival_serials_record(declaration=declaration, values=["X1"], by=dest_clerk)  # registered
    TransitDeclaration.objects.filter(pk=declaration.pk).update(status=Status.ARRIVED)
    with pytest.raises(NotAllowed):
        serials.arrival_serials_record(declaration=declaration, values=["X1"], by=origin_clerk)
    assert not ArrivalSerial.objects.exists()


def test_an_escalated_scan_and_a_duplicate_waybill_block_settlement_too(arrived, dest_clerk):
    TransitDeclaration.objects.filter(pk=arrived.pk).update(
        comparison_verdict="suspicious", comparison_review=Review.ESCALATED, dup_waybill=True
    )
    with pytest.raises(SettlementBlocked) as exc:
        services.declaration_settle(declaration=arrived, by=dest_clerk)
    assert set(exc.value.fields) == {"comparison_review", "waybill_no"}


def test_the_inspector_overrides_with_a_reason_audited_and_on_the_timeline(
    arrived, dest_clerk, tehran_inspector, outsider
):
    serials.arrival_serials_record(declaration=arrived, values=DECLARED[:2], by=dest_clerk)
    with pytest.raises(NotAllowed):
        serials.settlement_override(declaration=arrived, by=dest_clerk, reason="please")
    with pytest.raises(NotAllowed):
        serials.settlement_override(declaration=arrived, by=outsider, reason="please")
    with pytest.raises(InvalidInput):
        serials.settlement_override(declaration=arrived, by=tehran_inspector, reason="")
    override = serials.settlement_override(
        declaration=arrived, by=tehran_inspector, reason="phone found in cab, recounted"
    )
    assert override.covers == [f"serial_discrepancy:{SerialDiscrepancy.objects.get().pk}"]
    assert LogEntry.objects.get_for_object(override).filter(actor=tehran_inspector).exists()
    assert DeclarationEvent.objects.filter(
        declaration=arrived, kind="settlement_override", actor=tehran_inspector
    ).exists()
    services.declaration_settle(declaration=arrived, by=dest_clerk)
    assert arrived.status == Status.SETTLED


def test_an_override_covers_the_blocks_of_its_time_not_a_new_discrepancy(arrived, dest_clerk, hq):
    serials.arrival_serials_record(declaration=arrived, values=DECLARED[:2], by=dest_clerk)
    serials.settlement_override(declaration=arrived, by=hq, reason="released by HQ letter 77")
    serials.arrival_serials_record(declaration=arrived, values=["356938035643999"], by=dest_clerk)  # a new difference
    with pytest.raises(SettlementBlocked):
        services.declaration_settle(declaration=arrived, by=dest_clerk)
    assert SettlementOverride.objects.count() == 1


def test_the_page_shows_the_block_and_the_settle_form_error_names_it(client, arrived, dest_clerk):
    serials.arrival_serials_record(declaration=arrived, values=DECLARED[:2], by=dest_clerk)
    client.force_login(dest_clerk)
    page = client.get(reverse("declarations:detail", args=[arrived.pk])).content.decode()
    assert 'id="settlement-blocks"' in page and 'data-block="serial_discrepancy"' in page
    assert "Settlement is blocked until resolved" in page
    assert 'id="settle-blocked"' in page  # said again inside the settle form itself
    assert 'id="override-form"' not in page  # the destination may not override
    response = client.post(reverse("declarations:action", args=[arrived.pk, "settle"]), {"settle-remarks": ""})
    assert response.status_code == 409
    assert "blocked until resolved" in response.content.decode()
    arrived.refresh_from_db()
    assert arrived.status == Status.ARRIVED


def test_the_destination_pastes_serials_on_the_page(client, arrived, dest_clerk):
    client.force_login(dest_clerk)
    text = "serial\n" + "\n".join(f"{v},phone" for v in DECLARED[:2]) + "\n۳۵۶۹۳۸۰۳۵۶۴۳۹۹۹\n"
    response = client.post(reverse("declarations:arrival-serials", args=[arrived.pk]), {"serials-values": text})
    assert response.status_code == 302
    found = set(ArrivalSerial.objects.filter(declaration=arrived).values_list("value", flat=True))
    assert found == {DECLARED[0], DECLARED[1], "356938035643999"}  # header skipped, Persian digits read
    page = client.get(reverse("declarations:detail", args=[arrived.pk])).content.decode()
    assert 'data-state="open"' in page and "356938035643825" in page


def test_the_inspector_overrides_on_the_page(client, arrived, dest_clerk, tehran_inspector):
    serials.arrival_serials_record(declaration=arrived, values=DECLARED[:2], by=dest_clerk)
    client.force_login(tehran_inspector)
    page = client.get(reverse("declarations:detail", args=[arrived.pk])).content.decode()
    assert 'id="override-form"' in page
    url = reverse("declarations:settlement-override", args=[arrived.pk])
    empty = client.post(url, {"override-reason": ""})
    assert empty.status_code == 400 and 'id="override-form"' in empty.content.decode()
    assert client.post(url, {"override-reason": "recounted at the gate"}).status_code == 302
    assert SettlementOverride.objects.get().by == tehran_inspector


def test_the_api_refuses_a_blocked_settlement_naming_the_field(client, arrived, dest_clerk, api_token_for):
    serials.arrival_serials_record(declaration=arrived, values=DECLARED[:2], by=dest_clerk)
    headers = {"HTTP_AUTHORIZATION": f"Token {api_token_for(dest_clerk)}"}
    response = client.post(
        reverse("api-declaration-settle", args=[arrived.pk]), {}, content_type="application/json", **headers
    )
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "settlement_blocked" and "arrival_serials" in error["fields"]


def test_the_api_records_serials_then_the_inspector_releases_and_the_destination_settles(
    client, arrived, dest_clerk, tehran_inspector, api_token_for
):
    dest = {"HTTP_AUTHORIZATION": f"Token {api_token_for(dest_clerk)}"}
    url = reverse("api-declaration-arrival-serials", args=[arrived.pk])
    response = client.post(url, {"values": DECLARED[:2]}, content_type="application/json", **dest)
    assert response.status_code == 200
    assert response.json() == {
        "declared": 3,
        "found": 2,
        "missing": [DECLARED[2]],
        "extra": [],
        "discrepancy_open": True,
    }
    detail = client.get(reverse("api-declaration-detail", args=[arrived.pk]), **dest).json()
    assert [b["key"] for b in detail["settlement_blocks"]] == ["serial_discrepancy"]
    override = reverse("api-declaration-settlement-override", args=[arrived.pk])
    refused = client.post(override, {"reason": "x"}, content_type="application/json", **dest)
    assert refused.status_code == 403
    insp = {"HTTP_AUTHORIZATION": f"Token {api_token_for(tehran_inspector)}"}
    released = client.post(override, {"reason": "recounted at the gate"}, content_type="application/json", **insp)
    assert released.status_code == 200 and released.json()["settlement_blocks"][0]["overridden"] is True
    settle = client.post(
        reverse("api-declaration-settle", args=[arrived.pk]), {}, content_type="application/json", **dest
    )
    assert settle.status_code == 200 and settle.json()["status"] == "settled"


@pytest.mark.persian
def test_the_block_reads_in_persian_with_persian_digits(client, arrived, dest_clerk):
    serials.arrival_serials_record(declaration=arrived, values=DECLARED[:2], by=dest_clerk)
    client.force_login(dest_clerk)
    page = client.get(reverse("declarations:detail", args=[arrived.pk])).content.decode()
    assert "تسویه تا رفع مغایرت متوقف است" in page
    assert "۱ سریال اظهارشده پیدا نشد" in page  # the count in Persian digits
    assert "۲ سریال مشاهده‌شده از ۳ سریال اظهارشده" in page


def test_an_ics_export_saying_settled_does_not_release_a_blocked_declaration(db):
    """The import moves statuses through the same services: the gate holds, the summary says why."""
    from accounts.models import Role, User
    from accounts.offices_data import ensure_offices
    from declarations.importer import import_file
    from tests.declarations.test_importer import row, to_csv

    ensure_offices()
    import_file(to_csv([row(status="arrived", status_at="1404/05/13 10:00")]), "a.csv")
    d = TransitDeclaration.objects.get()
    clerk = User.objects.create(username="thr", role=Role.OFFICE, office=d.destination)
    serials.arrival_serials_record(declaration=d, values=["490154203237518"], by=clerk)  # one phone missing
    summary = import_file(to_csv([row(status="settled", status_at="1404/05/14 09:00")]), "b.csv")
    assert summary.updated == 0 and len(summary.exceptions) == 1
    assert "blocked until resolved" in summary.exceptions[0].message
    assert TransitDeclaration.objects.get().status == Status.ARRIVED


@pytest.mark.persian
def test_the_serials_form_says_its_limit_in_the_pages_digits(client, arrived, dest_clerk):
    client.force_login(dest_clerk)
    page = client.get(reverse("declarations:detail", args=[arrived.pk])).content.decode()
    assert "هر بار حداکثر ۵۰۰۰ سریال" in page
    client.cookies["django_language"] = "en"
    page = client.get(reverse("declarations:detail", args=[arrived.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Up to 5000 at a time" in page


@pytest.mark.persian
def test_the_refused_settlement_names_the_serial_isolated_and_counts_in_persian_digits(client, arrived, dest_clerk):
    """The settle form's 409 said «تسویهٔ 1405-LTF-… تا رفع مغایرت متوقف است: … 0 سریال …» with Latin digits."""
    serials.arrival_serials_record(declaration=arrived, values=DECLARED[:2], by=dest_clerk)
    client.force_login(dest_clerk)
    response = client.post(reverse("declarations:action", args=[arrived.pk, "settle"]), {"settle-remarks": ""})
    assert response.status_code == 409
    page = response.content.decode()
    assert f"تسویهٔ \u2066{arrived.serial}\u2069 تا رفع مغایرت متوقف است" in page
    assert "۱ سریال اظهارشده پیدا نشد، ۰ سریال اظهارنشده پیدا شد" in page


def test_a_value_no_maker_prints_is_refused_naming_it_and_nothing_is_recorded(client, arrived, dest_clerk):
    client.force_login(dest_clerk)
    text = f"{DECLARED[0]}\nx'<b>\n"
    response = client.post(reverse("declarations:arrival-serials", args=[arrived.pk]), {"serials-values": text})
    assert response.status_code == 400
    assert "X&#x27;&lt;B&gt;" in response.content.decode() and "is not a serial" in response.content.decode()
    assert not ArrivalSerial.objects.filter(declaration=arrived).exists()
    with pytest.raises(InvalidInput) as exc:
        serials.arrival_serials_record(
            declaration=arrived, values=["356938035643809", "ABC-12/3", "کالا"], by=dest_clerk
        )
    assert exc.value.fields == {"values": "not a serial"}
    assert not ArrivalSerial.objects.filter(declaration=arrived).exists()


def test_the_settle_notice_quotes_a_duplicate_waybill_with_its_digits_as_issued(arrived, dest_clerk, client, settings):
    TransitDeclaration.objects.filter(pk=arrived.pk).update(dup_waybill=True, waybill_no="WB-778812")
    client.force_login(dest_clerk)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fa"
    page = client.get(reverse("declarations:detail", args=[arrived.pk])).content.decode()
    notice = page[page.index('data-block="dup_waybill"') :].split("</li>")[0]
    assert "\u2066WB-778812\u2069" in notice, notice
    assert "WB-۷۷۸۸۱۲" not in page


def test_the_origin_provinces_inspector_may_not_release_a_hold_at_a_destination_elsewhere(
    client, arrived, dest_clerk, inspector, api_token_for
):
    """BZG → THR: the hold is Tehran's. West Azerbaijan's inspector sees the declaration, is offered no
    override form, and is refused (403) on the page and in the API; nothing is released."""
    serials.arrival_serials_record(declaration=arrived, values=DECLARED[:2], by=dest_clerk)
    client.force_login(inspector)
    page = client.get(reverse("declarations:detail", args=[arrived.pk]))
    assert page.status_code == 200 and 'id="override-form"' not in page.content.decode()
    url = reverse("declarations:settlement-override", args=[arrived.pk])
    assert client.post(url, {"override-reason": "recounted at the origin"}).status_code == 403
    headers = {"HTTP_AUTHORIZATION": f"Token {api_token_for(inspector)}"}
    api = reverse("api-declaration-settlement-override", args=[arrived.pk])
    assert client.post(api, {"reason": "recounted"}, content_type="application/json", **headers).status_code == 403
    assert not SettlementOverride.objects.exists()
    with pytest.raises(SettlementBlocked):
        services.declaration_settle(declaration=arrived, by=dest_clerk)


def test_the_destinations_staff_are_told_when_a_hold_is_released(client, arrived, dest_clerk, origin_clerk, hq):
    serials.arrival_serials_record(declaration=arrived, values=DECLARED[:2], by=dest_clerk)
    client.force_login(hq)
    url = reverse("declarations:settlement-override", args=[arrived.pk])
    assert client.post(url, {"override-reason": "گوشی در کابین پیدا شد"}).status_code == 302
    note = Notification.objects.get(user=dest_clerk)
    assert note.kind == Kind.SETTLEMENT_RELEASED and note.body == "گوشی در کابین پیدا شد"
    assert not Notification.objects.filter(user__in=[origin_clerk, hq]).exists()
    with override("fa"):
        assert (
            strip_isolates(note.title_text())
            == f"توقف تسویهٔ {arrived.serial} برداشته شد: گمرک شما می‌تواند آن را تسویه کند"
        )
    client.force_login(dest_clerk)
    opened = client.get(reverse("notifications:open", args=[note.pk]))
    assert opened["Location"] == reverse("declarations:detail", args=[arrived.pk]) + "#settlement-blocks"
    assert "Settlement released by an override" in client.get(opened["Location"]).content.decode()
