"""The monthly return's judicial-case lists put a day's cases by file number as text, so «1405-2145» came before
«1405-673». A file number's numeric parts (year, then sequence) now order a day's cases and actions, the same in
the figures the page and the PDF name, in the PDF and in the XLSX; the first ``CASE_LIST_LIMIT`` kept are the
first in that order."""

import datetime as dt
import io

import openpyxl
import pytest
from django.utils import timezone

from casework import services as casework
from core.dates import TEHRAN
from declarations.models import Status, UnsettledReason
from reports import exports, returns, services
from tests.factories import DeclarationFactory
from tests.pdftext import norm, pdf_text

pytestmark = pytest.mark.django_db

NUMBERS = ["1405-2145", "1405-673", "1405-90"]  # as text: 2145 < 673 < 90
IN_ORDER = ["1405-90", "1405-673", "1405-2145"]


@pytest.fixture
def same_day_cases(bazargan, tehran, inspector):
    for n, number in enumerate(NUMBERS):
        d = DeclarationFactory(
            serial=f"1405-BZG-0001377{n}",
            origin=bazargan,
            destination=tehran,
            status=Status.UNSETTLED,
            arrived_at=timezone.now() - dt.timedelta(days=60),
            unsettled_reason=UnsettledReason.SEAL_DISCREPANCY,
        )
        case = casework.case_open(
            declaration=d,
            by=inspector,
            file_number=number,
            authority="تعزیرات",
            opened_on=dt.date(2026, 10, 25),  # 1405/08/03, the same day for all
            discovered_at=dt.datetime(2026, 10, 25, 9, tzinfo=TEHRAN),
            cif_value="1000",
            exchange_rate="700000",
        )
        casework.case_add_action(case=case, by=inspector, on=dt.date(2026, 11, 1), action=f"جلسه رسیدگی {n}")


def test_a_days_cases_and_actions_run_by_file_number(same_day_cases, west_az, inspector):
    snap = services.return_build(year=1405, month=8, province=west_az, by=inspector)
    kept = snap.figures["cases"]
    assert [c["file_number"] for c in kept["opened_list"]] == IN_ORDER
    assert [a["file_number"] for a in kept["actions_list"]] == IN_ORDER
    with snap.xlsx.open("rb") as fh:
        rows = list(
            openpyxl.load_workbook(io.BytesIO(fh.read()))["پرونده‌های قضایی"].iter_rows(min_row=2, values_only=True)
        )
    assert [r[1] for r in rows if r[0] == "تشکیل"] == IN_ORDER
    assert [r[1] for r in rows if r[0] == "اقدام"] == IN_ORDER
    # a return stored before kept them by text: the PDF puts them in the same order
    figures = {**snap.figures, "cases": {**kept, "opened_list": kept["opened_list"][::-1]}}
    text = norm(pdf_text(exports.render_pdf(figures, version=1, serials=[])))
    serials = [f"1405-BZG-0001377{NUMBERS.index(n)}" for n in IN_ORDER]  # the PDF writes file numbers in Persian
    assert sorted(serials, key=text.index) == serials


def test_the_figures_keep_the_first_cases_in_that_order(same_day_cases, west_az, monkeypatch):
    monkeypatch.setattr(returns, "CASE_LIST_LIMIT", 2)
    kept = returns.build_figures(1405, 8, west_az)["cases"]
    assert [c["file_number"] for c in kept["opened_list"]] == IN_ORDER[:2]
    assert [a["file_number"] for a in kept["actions_list"]] == IN_ORDER[:2]
