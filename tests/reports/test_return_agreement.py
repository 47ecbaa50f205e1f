"""A monthly return's page, XLSX and PDF give the same figures from one computation: the judicial cases
open at the end of the month and the statutory milestones still owed then (a case closed in the month
owes none, as it counts among no open cases), and the return's standing."""

import datetime as dt
import io
import re

import openpyxl
import pytest
from django.utils import timezone

from casework import services as casework
from core.dates import TEHRAN
from declarations.models import Status, UnsettledReason
from reports import services
from reports.models import ReturnStatus
from tests.factories import DeclarationFactory
from tests.pdftext import norm, pdf_text

COURT = "ارسال پرونده به مرجع قضایی ظرف ۵ روز کاری (ماده ۷)"


def _case(origin, destination, inspector, number: str, day: int):
    d = DeclarationFactory(
        origin=origin,
        destination=destination,
        status=Status.UNSETTLED,
        arrived_at=timezone.now() - dt.timedelta(days=60),
        unsettled_reason=UnsettledReason.SEAL_DISCREPANCY,
    )
    found = dt.datetime(2026, 10, day, 9, tzinfo=TEHRAN)  # Aban 1405: 2026-10-23 .. 2026-11-21
    return casework.case_open(
        declaration=d,
        by=inspector,
        file_number=number,
        authority="تعزیرات",
        opened_on=found.date(),
        discovered_at=found,
        cif_value="1000",
        exchange_rate="700000",
    )


@pytest.fixture
def aban_return(bazargan, tehran, inspector, hq):
    _case(bazargan, tehran, inspector, "1405-21", 26)
    closed = _case(bazargan, tehran, inspector, "1405-22", 27)
    # closed in the month with its court file never sent: history, no longer owed at the end
    casework.case_close(case=closed, by=inspector, outcome="رأی صادر شد", outcome_on=dt.date(2026, 11, 5))
    return services.return_build(year=1405, month=8, province=None, by=hq)


def test_a_closed_case_owes_no_milestone_at_the_end_of_the_month(aban_return):
    f = aban_return.figures
    assert f["cases"]["open_at_end"] == 1
    assert f["case_milestones"]["file_court"]["open_at_end"] == 1  # was 2: the closed case's counted too
    assert f["case_milestones"]["file_court"]["overdue_at_end"] == 1
    assert f["case_milestones"]["file_court"]["due"] == 2  # both fell due in the month: history kept


@pytest.mark.persian
def test_page_xlsx_and_pdf_agree(client, aban_return, hq):
    snap = aban_return
    assert snap.status == ReturnStatus.DRAFT

    client.force_login(hq)
    page = client.get(f"/reports/returns/{snap.pk}/").content.decode()
    row = re.search(r'id="cases-open-at-end"><td>([^<]*)</td><td>([^<]*)</td>', page)
    assert row and row.group(2) == "۱"
    court = re.search(rf"<tr><td>{re.escape(COURT)}</td>((?:<td>[^<]*</td>)+)</tr>", page)  # the files' label
    assert court is not None
    assert re.findall(r"<td>([^<]*)</td>", court.group(1)) == ["۲", "۰", "۰", "۱", "۱"]
    assert re.search(r'id="standing">[^<]*: قطعی \(پایان ماه\)</span>', page)
    assert "پیش‌نویس" in page  # the record's own state, beside it

    with snap.xlsx.open("rb") as fh:
        wb = openpyxl.load_workbook(io.BytesIO(fh.read()))
    summary = {r[0]: r[1] for r in wb["خلاصه"].iter_rows(min_row=2, values_only=True)}
    assert summary["پرونده‌های قضایی باز در پایان ماه"] == 1
    assert summary["وضعیت ارقام"] == "قطعی (پایان ماه)"
    assert "وضعیت" not in summary
    table = {r[0]: r[1:] for r in wb["مهلت‌های پرونده‌های قاچاق"].iter_rows(min_row=2, values_only=True)}
    assert table[COURT] == (2, 0, 0, 1, 1)

    with snap.pdf.open("rb") as fh:
        text = pdf_text(fh.read())
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    at = lines.index(norm("پرونده‌های قضایی باز در پایان ماه"))  # pdftotext: the label, then its value
    assert lines[at + 1] == "۱"
    at = next(i for i, line in enumerate(lines) if line.startswith(norm("ارسال پرونده به مرجع قضایی")))
    assert lines[at + 1 : at + 6] == ["۲", "۰", "۰", "۱", "۱"]
    standing = next(line for line in lines if line.startswith(norm("وضعیت ارقام")))
    assert norm("قطعی (پایان ماه)") in standing
    assert norm("پیش‌نویس") not in text  # sealed at build: it would still say so once submitted
