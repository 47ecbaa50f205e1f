"""The monthly return's section "cases by milestone" (smuggling regulation): counted per statutory
milestone for the month, in the figures, the CSV, the XLSX sheet and the PDF."""

import csv
import datetime as dt
import io

import openpyxl
import pytest
from django.utils import timezone

from casework import services as casework
from casework import smuggling
from casework.models import MilestoneKind
from core.dates import TEHRAN
from declarations.models import Status, UnsettledReason
from reports import exports, returns
from tests.factories import DeclarationFactory
from tests.pdftext import norm, pdf_text


@pytest.fixture
def case(bazargan, tehran, inspector):
    d = DeclarationFactory(
        origin=bazargan,
        destination=tehran,
        status=Status.UNSETTLED,
        arrived_at=timezone.now() - dt.timedelta(days=60),
        unsettled_reason=UnsettledReason.SEAL_DISCREPANCY,
    )
    found = dt.datetime(2026, 10, 26, 9, tzinfo=TEHRAN)  # Monday 1405/08/04
    case = casework.case_open(
        declaration=d,
        by=inspector,
        file_number="1405-12",
        authority="تعزیرات",
        opened_on=found.date(),
        discovered_at=found,
        cif_value="1000",
        exchange_rate="700000",
    )
    ms = {m.kind: m for m in case.milestones.all()}
    # hand-over on time (within 24 hours), the organisation's file late, the court's never
    smuggling.milestone_done(
        milestone=ms[MilestoneKind.HANDOVER],
        by=inspector,
        evidence_note="صورت‌جلسه",
        done_at=found + dt.timedelta(hours=20),
    )
    smuggling.milestone_done(
        milestone=ms[MilestoneKind.FILE_PROPERTY_ORG],
        by=inspector,
        evidence_note="نامه ۱۲",
        done_at=found + dt.timedelta(days=12),
    )
    return case


def test_the_return_counts_cases_by_milestone(case, west_az):
    f = returns.build_figures(1405, 8, west_az)  # Aban 1405: 2026-10-23 .. 2026-11-21
    m = f["case_milestones"]
    assert m["handover"] == {"due": 1, "done": 1, "done_late": 0, "open_at_end": 0, "overdue_at_end": 0}
    assert m["file_property_org"] == {"due": 1, "done": 1, "done_late": 1, "open_at_end": 0, "overdue_at_end": 0}
    assert m["file_court"] == {"due": 1, "done": 0, "done_late": 0, "open_at_end": 1, "overdue_at_end": 1}
    # the carrier's fine has no clock: owed, never overdue
    assert m["carrier_fine"] == {"due": 0, "done": 0, "done_late": 0, "open_at_end": 1, "overdue_at_end": 0}
    assert m["total"]["overdue_at_end"] == 1 and m["total"]["done"] == 2
    # the office's part carries its own section
    assert f["offices"]["BZG"]["case_milestones"]["file_court"]["overdue_at_end"] == 1
    # the month before the discovery owes nothing
    assert returns.build_figures(1405, 7, west_az)["case_milestones"]["total"]["open_at_end"] == 0


def test_the_exports_carry_the_section(case, west_az):
    f = returns.build_figures(1405, 8, west_az)
    out = io.StringIO()
    exports.write_csv(f, out)
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    court = [r for r in rows if r[:2] == ["case_milestones", "file_court:overdue_at_end"]]
    assert court and court[0][3] == "1"

    buf = io.BytesIO()
    exports.write_xlsx(f, buf)
    buf.seek(0)
    sheet = openpyxl.load_workbook(buf)["مهلت‌های پرونده‌های قاچاق"]
    table = {r[0]: r[1:] for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert table["ارسال پرونده به مرجع قضایی ظرف ۵ روز کاری (ماده ۷)"] == (1, 0, 0, 1, 1)

    text = pdf_text(exports.render_pdf(f))
    assert norm("پرونده‌های قاچاق بر حسب مهلت‌های قانونی") in text
    assert norm("تحویل کالا و متهم") in text and norm("معوق در پایان") in text


def test_a_step_whose_case_was_closed_before_it_fell_due_is_not_due(bazargan, tehran, inspector, west_az):
    d = DeclarationFactory(
        origin=bazargan,
        destination=tehran,
        status=Status.UNSETTLED,
        arrived_at=timezone.now() - dt.timedelta(days=60),
        unsettled_reason=UnsettledReason.SEAL_DISCREPANCY,
    )
    found = dt.datetime(2026, 10, 26, 9, tzinfo=TEHRAN)  # Monday 1405/08/04
    case = casework.case_open(
        declaration=d,
        by=inspector,
        file_number="1405-13",
        authority="تعزیرات",
        opened_on=found.date(),
        discovered_at=found,
        cif_value="1000",
        exchange_rate="700000",
    )
    due = {m.kind: m.due_at for m in case.milestones.all()}
    assert due[MilestoneKind.HANDOVER] < found + dt.timedelta(days=2) < due[MilestoneKind.FILE_COURT]
    # Closed (recorded today) with its outcome two days after the discovery: the hand-over had fallen due
    # by then, the two files had not (they are waived on closing).
    casework.case_close(case=case, by=inspector, outcome="مختومه", outcome_on=found.date() + dt.timedelta(days=2))

    m = returns.build_figures(1405, 8, west_az)["case_milestones"]
    assert m["handover"]["due"] == 1
    assert m["file_property_org"]["due"] == 0 and m["file_court"]["due"] == 0
    assert m["total"] == {"due": 1, "done": 0, "done_late": 0, "open_at_end": 0, "overdue_at_end": 0}


def test_an_office_with_no_case_has_its_section_all_zero_and_the_province_adds_up(case, west_az):
    """The province's section and its offices' parts come from one query grouped by origin office
    (``case_milestones_by_office``): an office with no case has every figure 0, and the parts add up to the whole."""
    from tests.factories import OfficeFactory

    OfficeFactory(code="URM", name_fa="گمرک ارومیه", name_en="Urmia", province=west_az)
    f = returns.build_figures(1405, 8, west_az)
    urmia = f["offices"]["URM"]["case_milestones"]
    assert set(urmia) == {*MilestoneKind.values, "total"}
    assert {n for figures in urmia.values() for n in figures.values()} == {0}
    assert f["offices"]["BZG"]["case_milestones"] == f["case_milestones"]
    assert {"case_milestones": f["case_milestones"]} == returns.case_milestones(*returns.period(1405, 8)[:2], west_az)
