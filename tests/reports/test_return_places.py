"""The national return names provinces and offices beside their codes, and writes its figures
in Persian (issue 11, item 21)."""

import datetime as dt
import io
import re

import openpyxl
import pytest
from django.urls import reverse

from core.dates import jalali_month_bounds
from declarations.models import Status
from reports import exports, returns, services
from tests.factories import DeclarationFactory
from tests.pdftext import pdf_text

S, E = jalali_month_bounds(1404, 5)


@pytest.fixture
def figures(bazargan, tehran):
    DeclarationFactory(
        origin=bazargan,
        destination=tehran,
        declared_at=S - dt.timedelta(days=20),
        status=Status.IN_TRANSIT,
        departed_at=S - dt.timedelta(days=19),
        deadline=S - dt.timedelta(days=5),
    )
    return returns.build_figures(1404, 5, None)


@pytest.mark.persian
def test_the_return_page_names_the_provinces(client, hq, figures):
    snap = services.return_build(year=1404, month=5, province=None, by=hq)
    client.force_login(hq)
    page = client.get(reverse("reports:return", args=[snap.pk])).content.decode()
    assert "آذربایجان غربی (WAZ)" in page


def test_the_return_pdf_names_provinces_and_offices_and_writes_shares_in_persian(figures):
    figures["scan_compliance"]["origin_scan_share"] = 0.649
    text = pdf_text(exports.render_pdf(figures))
    # pdftotext draws the parentheses of "name (code)" out of place: the name and the code.
    assert re.search(r"آذربایجان غربی\W*WAZ", text)  # the provinces table
    # the serial list's origin office (its code on the cell's second line: pdftotext reads the row's first
    # lines, the destination's name among them, before it)
    assert re.search(r"گمرک بازرگان\W*(گمرک تهران\W*)?BZG", text)
    assert "۶۴٫۹٪" in text and "۶۴.۹" not in text
    # The page counter (pdftotext drops its spaces).
    assert re.search("[۱-۹]/[۱-۹]", text) and not re.search(r"\b[1-9]/[1-9]\b", text)


def test_a_share_in_the_pdf_is_worked_out_from_its_pair_not_rounded_twice(figures):
    """58 of 62 arrivals sighted is 93.548 %: the stored share (0.9355, four places) rounded again read 93.6 %."""
    figures["plate_compliance"].update(sighted=58, arrived=62, share=0.9355)
    text = pdf_text(exports.render_pdf(figures))
    assert "۹۳٫۵٪" in text and "۹۳٫۶٪" not in text


def test_the_return_xlsx_names_provinces_and_offices_beside_their_codes(figures):
    buf = io.BytesIO()
    exports.write_xlsx(figures, buf)
    buf.seek(0)
    book = openpyxl.load_workbook(buf)
    provinces = list(book["استان‌ها"].iter_rows(values_only=True))
    assert provinces[0][0] == "استان"
    assert "آذربایجان غربی (WAZ)" in [r[0] for r in provinces[1:]]  # as the return's page and PDF write it
    compliance = list(book["انطباق"].iter_rows(values_only=True))
    assert compliance[0][1] == "گمرک"
    serials = list(book["سریال‌های تسویه‌نشده"].iter_rows(values_only=True))
    assert serials[0][1:3] == ("گمرک مبدأ", "گمرک مقصد")
    assert serials[1][1:3] == ("گمرک بازرگان (BZG)", "گمرک تهران (THR)")


@pytest.mark.persian
def test_the_return_page_groups_thousands_as_persian_writes_them(client, hq, figures):
    snap = services.return_build(year=1404, month=5, province=None, by=hq)
    type(snap).objects.filter(pk=snap.pk).update(figures={**snap.figures, "opening": 1860})
    client.force_login(hq)
    page = client.get(reverse("reports:return", args=[snap.pk])).content.decode()
    balance = page[page.index('id="balance"') :]
    assert "۱٬۸۶۰" in balance[:2000] and "۱۸۶۰" not in balance[:2000]


def test_a_month_with_no_scanner_or_plate_reader_in_service_says_so_on_the_compliance_sheet(figures):
    figures["scan_compliance"]["offices"] = []
    figures["plate_compliance"]["offices"] = []
    buf = io.BytesIO()
    exports.write_xlsx(figures, buf)
    buf.seek(0)
    compliance = list(openpyxl.load_workbook(buf)["انطباق"].iter_rows(values_only=True))
    assert len(compliance) == 2  # the header and one line that says why there is nothing, not a bare header
    assert "هیچ گمرکی اسکنر یا پلاک‌خوانی در خدمت نداشت" in compliance[1][1]
