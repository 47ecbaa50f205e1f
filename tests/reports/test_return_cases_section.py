"""The monthly return's judicial-cases section dates its cases and actions in Jalali, in the PDF
and the XLSX, and the PDF never breaks a serial over two lines."""

import datetime as dt
import io

import openpyxl
import pytest
from django.utils import timezone

from casework import services as casework
from core.dates import TEHRAN
from declarations.models import Status, UnsettledReason
from reports import exports, returns
from tests.factories import DeclarationFactory
from tests.pdftext import pdf_text


@pytest.fixture
def figures(bazargan, tehran, inspector, west_az):
    d = DeclarationFactory(
        serial="1405-BZG-00012884",
        origin=bazargan,
        destination=tehran,
        status=Status.UNSETTLED,
        arrived_at=timezone.now() - dt.timedelta(days=60),
        unsettled_reason=UnsettledReason.SEAL_DISCREPANCY,
    )
    opened = dt.date(2026, 10, 25)  # 1405/08/03
    case = casework.case_open(
        declaration=d,
        by=inspector,
        file_number="1405-12884",
        authority="تعزیرات",
        opened_on=opened,
        discovered_at=dt.datetime(2026, 10, 25, 9, tzinfo=TEHRAN),
        cif_value="1000",
        exchange_rate="700000",
    )
    casework.case_add_action(case=case, by=inspector, on=dt.date(2026, 10, 30), action="جلسه رسیدگی برگزار شد")
    return returns.build_figures(1405, 8, west_az)


def test_the_pdf_dates_case_actions_in_jalali(figures):
    text = pdf_text(exports.render_pdf(figures))
    assert "۱۴۰۵/۰۸/۰۸" in text  # 2026-10-30
    assert "2026-10-30" not in text and "۲۰۲۶-۱۰-۳۰" not in text


def test_the_xlsx_dates_cases_and_actions_in_jalali(figures):
    buf = io.BytesIO()
    exports.write_xlsx(figures, buf)
    buf.seek(0)
    rows = list(openpyxl.load_workbook(buf)["پرونده‌های قضایی"].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[3]) for r in rows] == [("تشکیل", "1405/08/03"), ("اقدام", "1405/08/08")]


def test_the_pdf_keeps_each_serial_of_its_list_on_one_line(figures):
    # Long office names and reasons leave the serial column too narrow for a whole serial: it
    # breaks at its hyphen unless identifiers are kept on one line.
    serials = [f"1404-MWM-0000{n:04d}" for n in range(1, 6)]
    long = "وصول‌شده، در انتظار تسویه با توضیح بلندتر از یک سطر جدول"
    rows = [
        [
            s,
            "گمرک بندر امام خمینی و منطقه ویژه",
            "گمرک فرودگاه امام خمینی و منطقه آزاد",
            "1404/03/01",
            "1404/03/18",
            "1404/03/20",
            531,
            "other",
            long,
            "",
        ]
        for s in serials
    ]
    text = pdf_text(exports.render_pdf(figures, serials=rows))
    assert all(s in text for s in serials), text


def test_the_xlsx_writes_a_cases_goods_value_as_a_number(figures):
    buf = io.BytesIO()
    exports.write_xlsx(figures, buf)
    buf.seek(0)
    opened = next(openpyxl.load_workbook(buf)["پرونده‌های قضایی"].iter_rows(min_row=2, values_only=True))
    assert opened[5] == int(figures["cases"]["opened_list"][0]["goods_value"]) > 0  # a number Excel sums, not text
