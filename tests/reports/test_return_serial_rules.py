"""The monthly return's own section for the anti-smuggling rules (issue 15 §2): serial discrepancies
opened, resolved and open at the end, settlements blocked at the end and overridden, transport-document
discrepancies, covered goods without serials and invalid IMEIs; by the origin's province, in every export."""

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest

from core.dates import jalali_month_bounds
from declarations import serials, transport_docs
from declarations.models import (
    DiscrepancyResolution,
    GoodsSerial,
    SerialDiscrepancy,
    SettlementOverride,
    Status,
    TransitDeclaration,
    TransportDocument,
)
from reports import exports, returns, services
from tests.factories import DeclarationFactory, GoodsFactory

S, E = jalali_month_bounds(1404, 5)
IN_MONTH = S + dt.timedelta(days=3)


def _arrived(origin, destination, serial_values):
    d = DeclarationFactory(origin=origin, destination=destination, declared_at=S - dt.timedelta(days=2))
    item = GoodsFactory(declaration=d, line_no=1, serials=serial_values)
    for v in serial_values:
        GoodsSerial.objects.create(value=v, is_imei=False, declaration=d, goods_item=item)
    TransitDeclaration.objects.filter(pk=d.pk).update(
        status=Status.ARRIVED, departed_at=S - dt.timedelta(days=1), arrived_at=S + dt.timedelta(days=1)
    )
    d.refresh_from_db()
    return d


@pytest.fixture
def month(bazargan, tehran, sarakhs, dest_clerk, hq, origin_clerk):
    blocked = _arrived(bazargan, tehran, ["A1", "A2"])
    released = _arrived(bazargan, tehran, ["B1", "B2"])
    resolved = _arrived(bazargan, tehran, ["C1"])
    elsewhere = _arrived(sarakhs, tehran, ["D1"])  # another province's origin
    for d in (blocked, released, resolved, elsewhere):
        serials.arrival_serials_record(declaration=d, values=["X9"], by=dest_clerk)
    serials.settlement_override(declaration=released, by=hq, reason="recounted at the gate")
    serials.discrepancy_resolve(
        discrepancy=SerialDiscrepancy.objects.get(declaration=resolved), by=dest_clerk, reason="typo, letter 12"
    )
    transport_docs.transport_document_record(
        declaration=blocked,
        number="CMR-7",
        issued_on=dt.date(2025, 7, 20),
        origin="SRK",
        destination="THR",
        goods_description="گوشی تلفن همراه",
        quantity=Decimal(100),
        by=origin_clerk,
    )
    DeclarationFactory(
        origin=bazargan, destination=tehran, declared_at=IN_MONTH, covered_without_serials=True, invalid_imei=True
    )
    # Everything above happened in Mordad 1404.
    SerialDiscrepancy.objects.update(opened_at=IN_MONTH)
    DiscrepancyResolution.objects.update(at=IN_MONTH + dt.timedelta(days=1))
    SettlementOverride.objects.update(at=IN_MONTH + dt.timedelta(days=1))
    TransportDocument.objects.update(recorded_at=IN_MONTH)


def test_the_section_counts_the_months_figures_for_the_origins_province(month, west_az):
    figures = returns.build_figures(1404, 5, west_az, now=E + dt.timedelta(days=1))
    assert figures["rules_serials"] == {
        "serial_discrepancies_opened": 3,
        "serial_discrepancies_resolved": 1,
        "serial_discrepancies_open_at_end": 2,
        "settlements_blocked_at_end": 1,  # released by an override, the other resolved
        "settlements_overridden": 1,
        "document_discrepancies": 1,
        "covered_without_serials": 1,
        "invalid_imei": 1,
    }
    national = returns.build_figures(1404, 5, None, now=E + dt.timedelta(days=1))["rules_serials"]
    assert national["serial_discrepancies_opened"] == 4 and national["settlements_blocked_at_end"] == 2
    office_part = figures["offices"]["BZG"]["rules_serials"]
    assert office_part == figures["rules_serials"]  # every one of them left from Bazargan


def test_a_month_before_the_discrepancies_counts_none_of_them(month, west_az):
    figures = returns.build_figures(1404, 4, west_az, now=E + dt.timedelta(days=1))
    assert set(figures["rules_serials"].values()) == {0}


def test_the_section_is_in_the_page_the_csv_and_the_workbook(client, month, west_az, inspector):
    snap = services.return_build(year=1404, month=5, province=west_az, by=inspector)
    client.force_login(inspector)
    page = client.get(f"/reports/returns/{snap.pk}/").content.decode()
    assert 'id="rules-serials"' in page and 'data-figure="settlements_blocked_at_end"' in page
    csv_text = b"".join(client.get(f"/reports/returns/{snap.pk}/csv/").streaming_content).decode("utf-8-sig")
    assert "rules_serials,document_discrepancies," in csv_text
    workbook = openpyxl.load_workbook(
        io.BytesIO(b"".join(client.get(f"/reports/returns/{snap.pk}/xlsx/").streaming_content))
    )
    labels = [row[0] for row in workbook["خلاصه"].iter_rows(values_only=True)]
    assert "مغایرت سند حمل با اظهارنامه (در ماه)" in labels


def test_a_return_built_before_the_section_still_exports(month, west_az):
    figures = returns.build_figures(1404, 5, west_az, now=E + dt.timedelta(days=1))
    figures.pop("rules_serials")
    assert not [r for r in exports.summary_rows(figures) if r[0] == "rules_serials"]


def test_a_suspicious_scan_not_yet_reviewed_counts_as_a_blocked_settlement(bazargan, tehran, west_az):
    """As ``serials.settlement_blocks`` refuses it: an arrived declaration whose comparison awaits review."""
    waiting = _arrived(bazargan, tehran, [])
    TransitDeclaration.objects.filter(pk=waiting.pk).update(
        comparison_verdict="suspicious", comparison_review="pending"
    )
    figures = returns.build_figures(1404, 5, west_az, now=E + dt.timedelta(days=1))
    assert figures["rules_serials"]["settlements_blocked_at_end"] == 1
    TransitDeclaration.objects.filter(pk=waiting.pk).update(comparison_review="accepted")
    figures = returns.build_figures(1404, 5, west_az, now=E + dt.timedelta(days=1))
    assert figures["rules_serials"]["settlements_blocked_at_end"] == 0


def test_a_scan_comparison_that_could_not_align_not_yet_reviewed_counts_as_a_blocked_settlement(
    bazargan, tehran, west_az
):
    """No verdict: the destination looks at the images before it settles, so the settlement waits as for a
    suspicious one, until reviewed or overridden."""
    waiting = _arrived(bazargan, tehran, [])
    TransitDeclaration.objects.filter(pk=waiting.pk).update(
        comparison_verdict="unregistered", comparison_review="pending"
    )
    figures = returns.build_figures(1404, 5, west_az, now=E + dt.timedelta(days=1))
    assert figures["rules_serials"]["settlements_blocked_at_end"] == 1
    TransitDeclaration.objects.filter(pk=waiting.pk).update(comparison_review="accepted")
    figures = returns.build_figures(1404, 5, west_az, now=E + dt.timedelta(days=1))
    assert figures["rules_serials"]["settlements_blocked_at_end"] == 0


def test_a_confirmed_reuse_of_another_trucks_scan_counts_as_a_blocked_settlement(
    bazargan, tehran, west_az, origin_clerk, hq
):
    """As ``serials.settlement_blocks`` refuses it, until an override covers that confirmation."""
    from declarations import services as declaration_services
    from scans import reuse_reviews
    from tests.scans import images
    from tests.scans.conftest import upload

    first, second = _arrived(bazargan, tehran, []), _arrived(bazargan, tehran, [])
    data = images.png(61)
    for d in (first, second):
        TransitDeclaration.objects.filter(pk=d.pk).update(status=Status.REGISTERED, departed_at=None, arrived_at=None)
        d.refresh_from_db()
        declaration_services.declaration_depart(declaration=d, by=origin_clerk, at=S - dt.timedelta(days=1))
    upload(first, "origin", origin_clerk, data, at=S - dt.timedelta(hours=20))
    reused = upload(second, "origin", origin_clerk, data, at=S - dt.timedelta(hours=20))
    TransitDeclaration.objects.filter(pk=second.pk).update(status=Status.ARRIVED, arrived_at=S + dt.timedelta(days=1))
    reuse_reviews.reuse_review(scan=reused, by=hq, decision="confirmed")
    figures = returns.build_figures(1404, 5, west_az, now=E + dt.timedelta(days=1))
    assert figures["rules_serials"]["settlements_blocked_at_end"] == 1
    second.refresh_from_db()
    serials.settlement_override(declaration=second, by=hq, reason="بار در حضور بازرس شمرده شد")
    SettlementOverride.objects.update(at=S + dt.timedelta(days=2))
    figures = returns.build_figures(1404, 5, west_az, now=E + dt.timedelta(days=1))
    assert figures["rules_serials"]["settlements_blocked_at_end"] == 0


def test_seals_or_a_weight_found_off_at_arrival_count_as_a_blocked_settlement(bazargan, tehran, west_az, hq):
    """As the settle service refuses them (``arrival_findings``): broken seals, other seal numbers, a weight
    beyond the tolerance; a weight within it is no block; an override made before the end covers them."""
    from declarations.models import ArrivalConfirmation

    def arrived(**found):
        d = _arrived(bazargan, tehran, [])
        GoodsFactory(declaration=d, line_no=2, gross_weight_kg=Decimal("1250"))  # 1,500 kg with line 1
        ArrivalConfirmation.objects.create(declaration=d, office=tehran, confirmed_at=d.arrived_at, **found)
        return d

    def blocked():
        return returns.build_figures(1404, 5, west_az, now=E + dt.timedelta(days=1))["rules_serials"][
            "settlements_blocked_at_end"
        ]

    broken = arrived(seals_intact=False)
    assert blocked() == 1
    arrived(gross_weight_found_kg=Decimal("1470"))  # 2 %: within the weighbridges' tolerance
    assert blocked() == 1
    arrived(gross_weight_found_kg=Decimal("1200.5"))
    other_seal = arrived(seal_numbers_found=["S-99"])
    assert blocked() == 3
    for d in (broken, other_seal):
        serials.settlement_override(declaration=d, by=hq, reason="بار در حضور بازرس شمرده شد")
    SettlementOverride.objects.update(at=S + dt.timedelta(days=2))
    assert blocked() == 1


def test_an_invalid_imei_or_a_serial_on_another_open_declaration_counts_as_a_blocked_settlement(
    bazargan, tehran, west_az, hq
):
    """As the settle service refuses them (``serials.goods_serial_blocks``), until an override made before the
    end covers them; a serial shared only with a settled declaration blocks nothing."""

    def blocked():
        return returns.build_figures(1404, 5, west_az, now=E + dt.timedelta(days=1))["rules_serials"][
            "settlements_blocked_at_end"
        ]

    phone = _arrived(bazargan, tehran, [])
    GoodsSerial.objects.create(
        value="490154203237517", is_imei=True, declaration=phone, goods_item=phone.goods.get()
    )  # fails its check digit
    TransitDeclaration.objects.filter(pk=phone.pk).update(invalid_imei=True)
    assert blocked() == 1
    first, second = _arrived(bazargan, tehran, ["SN-77"]), _arrived(bazargan, tehran, ["SN-77"])
    TransitDeclaration.objects.filter(pk__in=[first.pk, second.pk]).update(dup_goods_serial=True)
    assert blocked() == 3
    TransitDeclaration.objects.filter(pk=first.pk).update(status=Status.SETTLED, settled_at=S + dt.timedelta(days=2))
    assert blocked() == 1  # the other is settled: the serial is on no other open declaration
    phone.refresh_from_db()
    assert [b.key for b in serials.standing_blocks(phone)] == ["imei_invalid"]
    serials.settlement_override(declaration=phone, by=hq, reason="گوشی‌ها در حضور بازرس شمرده شد")
    SettlementOverride.objects.update(at=S + dt.timedelta(days=2))
    assert blocked() == 0


def test_each_offices_blocked_settlements_are_its_own_when_counted_once_for_the_province(
    bazargan, tehran, west_az, dest_clerk
):
    """The province's figure and each office's part come from one pass (``blocked_by_origin``): the same as
    counting each office alone."""
    from tests.factories import OfficeFactory

    urmia = OfficeFactory(code="URM", name_fa="گمرک ارومیه", name_en="Urmia", province=west_az)
    OfficeFactory(code="SRO", name_fa="گمرک سرو", name_en="Sero", province=west_az)  # nothing blocked
    for origin, values in ((bazargan, ["A1"]), (bazargan, ["B1"]), (urmia, ["C1"])):
        d = _arrived(origin, tehran, values)
        serials.arrival_serials_record(declaration=d, values=["X9"], by=dest_clerk)
    SerialDiscrepancy.objects.update(opened_at=IN_MONTH)
    figures = returns.build_figures(1404, 5, west_az, now=E + dt.timedelta(days=1))
    parts = {code: part["rules_serials"]["settlements_blocked_at_end"] for code, part in figures["offices"].items()}
    assert parts == {"BZG": 2, "SRO": 0, "URM": 1}
    assert figures["rules_serials"]["settlements_blocked_at_end"] == 3
    for office in (bazargan, urmia):
        alone = returns.serial_rules(S, E, None, office)["rules_serials"]["settlements_blocked_at_end"]
        assert alone == parts[office.code]
