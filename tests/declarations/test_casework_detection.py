"""Reasons a declaration cannot be settled, and their detection."""

from decimal import Decimal

import pytest
from django.utils import timezone

from core.errors import InvalidInput
from declarations import services
from declarations.detection import propose_reasons
from declarations.identifiers import luhn_check_digit
from declarations.models import GoodsSerial, Status, UnsettledReason, Verdict
from tests.factories import DeclarationFactory, GoodsFactory


def valid_imei(prefix: str = "35209900176148") -> str:
    return prefix + luhn_check_digit(prefix)


def _serial(declaration, value, is_imei=True):
    item = GoodsFactory(declaration=declaration)
    return GoodsSerial.objects.create(value=value, is_imei=is_imei, declaration=declaration, goods_item=item)


def _arrive(declaration, by, **kw):
    services.declaration_depart(declaration=declaration, by=None, at=timezone.now() - timezone.timedelta(days=1))
    return services.declaration_confirm_arrival(declaration=declaration, by=by, **kw)


def reasons(declaration):
    return {p.reason for p in propose_reasons(declaration)}


def test_it_finds_nothing_on_a_clean_declaration(declaration, dest_clerk):
    _serial(declaration, valid_imei())
    _arrive(declaration, dest_clerk, seal_numbers_found=["S100200"], gross_weight_found_kg=Decimal("250"))
    assert propose_reasons(declaration) == []


def test_it_detects_a_waybill_on_two_declarations(declaration, bazargan, tehran):
    other = DeclarationFactory(origin=bazargan, destination=tehran, waybill_no=declaration.waybill_no)
    found = propose_reasons(declaration)
    assert [p.reason for p in found] == [UnsettledReason.DUPLICATE_WAYBILL]
    assert other.serial in found[0].evidence and declaration.waybill_no in found[0].evidence


def test_it_detects_a_serial_on_two_open_declarations_only(declaration, bazargan, tehran):
    imei = valid_imei()
    _serial(declaration, imei)
    other = DeclarationFactory(origin=bazargan, destination=tehran, status=Status.IN_TRANSIT)
    _serial(other, imei)
    found = propose_reasons(declaration)
    assert [p.reason for p in found] == [UnsettledReason.SERIAL_MISMATCH]
    assert other.serial in found[0].evidence
    other.status = Status.SETTLED  # a settled declaration no longer holds the serial
    other.save()
    assert propose_reasons(declaration) == []


@pytest.mark.parametrize("bad", ["3520990017614", "352099001761480", "35209900176148X"])
def test_it_detects_an_invalid_imei(declaration, bad):
    if bad == "352099001761480" and luhn_check_digit("35209900176148") == "0":
        bad = "352099001761481"
    _serial(declaration, bad)
    found = propose_reasons(declaration)
    assert [p.reason for p in found] == [UnsettledReason.SERIAL_MISMATCH]
    assert bad in found[0].evidence


def test_it_ignores_a_non_imei_serial_that_is_not_15_digits(declaration):
    _serial(declaration, "SN-ABC-1", is_imei=False)
    assert propose_reasons(declaration) == []


def test_it_detects_seal_and_weight_discrepancies(declaration, dest_clerk):
    GoodsFactory(declaration=declaration, gross_weight_kg=Decimal("1000"))
    _arrive(
        declaration, dest_clerk, seals_intact=False, seal_numbers_found=["S999"], gross_weight_found_kg=Decimal("1100")
    )
    found = propose_reasons(declaration)
    kinds = [p.reason for p in found]
    assert kinds.count(UnsettledReason.SEAL_DISCREPANCY) == 2  # broken, and numbers differ
    assert UnsettledReason.QUANTITY_DISCREPANCY in kinds
    seal = next(p for p in found if "S999" in p.evidence)
    assert "S100200" in seal.evidence
    weight = next(p for p in found if p.reason == UnsettledReason.QUANTITY_DISCREPANCY)
    assert "1,100 kg" in weight.evidence and "1,000 kg" in weight.evidence  # English text, Latin digits


def test_it_tolerates_a_small_weighbridge_difference(declaration, dest_clerk):
    GoodsFactory(declaration=declaration, gross_weight_kg=Decimal("1000"))
    _arrive(declaration, dest_clerk, seal_numbers_found=["S100200"], gross_weight_found_kg=Decimal("1015"))
    assert propose_reasons(declaration) == []


def test_it_proposes_a_scan_discrepancy_until_accepted(declaration):
    declaration.comparison_verdict = Verdict.SUSPICIOUS
    declaration.comparison_review = "pending"
    assert reasons(declaration) == {UnsettledReason.SCAN_DISCREPANCY}
    declaration.comparison_review = "accepted"
    assert reasons(declaration) == set()


def test_it_records_a_proposed_reason_and_other_needs_text(declaration, dest_clerk, bazargan, tehran):
    DeclarationFactory(origin=bazargan, destination=tehran, waybill_no=declaration.waybill_no)
    _arrive(declaration, dest_clerk)
    proposal = propose_reasons(declaration)[0]
    services.declaration_record_unsettled(
        declaration=declaration, by=dest_clerk, reason=proposal.reason, note=proposal.evidence
    )
    declaration.refresh_from_db()
    assert declaration.status == Status.UNSETTLED
    assert declaration.unsettled_reason == UnsettledReason.DUPLICATE_WAYBILL
    assert declaration.unsettled_note.startswith(proposal.evidence[:20])
    with pytest.raises(InvalidInput, match="other"):
        services.declaration_record_unsettled(declaration=declaration, by=dest_clerk, reason="other", note="")
    assert {c for c, _label in UnsettledReason.choices} == {
        "duplicate_waybill",
        "document_discrepancy",
        "seal_discrepancy",
        "quantity_discrepancy",
        "scan_discrepancy",
        "serial_mismatch",
        "system_problem",
        "other",
    }
