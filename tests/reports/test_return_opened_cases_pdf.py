"""The monthly return's PDF, the signed document, names each judicial case opened in the month as the XLSX's sheet
«پرونده‌های قضایی» does: its file number, the declaration's serial, the day it was opened, the authority with its
branch and the goods' value. It gave only their count («پرونده‌های قضایی تشکیل‌شده ۲۳») and the cases' actions."""

import datetime as dt
import subprocess

import pytest
from django.utils import timezone

from casework import services as casework
from core.dates import TEHRAN
from declarations.models import Status, UnsettledReason
from reports import exports, returns
from tests.factories import DeclarationFactory
from tests.pdftext import norm, pdf_text

pytestmark = pytest.mark.django_db

HEADING = "پرونده‌های قضایی تشکیل‌شده در ماه"


def _fa(text: str) -> str:
    """``norm``, and the hamza above of «شعبهٔ» dropped: pdftotext puts it before the «ه» it sits on."""
    return norm(text).replace("\u0654", "")


def _layout_text(pdf: bytes) -> str:
    """The PDF as pdftotext -layout reads it: a table's row on one line."""
    out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True).stdout
    return _fa(out.decode())


def _case(bazargan, tehran, inspector, serial: str, file_number: str, **fields):
    d = DeclarationFactory(
        serial=serial,
        origin=bazargan,
        destination=tehran,
        status=Status.UNSETTLED,
        arrived_at=timezone.now() - dt.timedelta(days=60),
        unsettled_reason=UnsettledReason.SEAL_DISCREPANCY,
    )
    return casework.case_open(
        declaration=d,
        by=inspector,
        file_number=file_number,
        opened_on=dt.date(2026, 10, 25),  # 1405/08/03
        discovered_at=dt.datetime(2026, 10, 25, 9, tzinfo=TEHRAN),
        cif_value="1000",
        exchange_rate="700000",
        **fields,
    )


def _line_of(text: str, ident: str) -> str:
    return next(line for line in text.splitlines() if ident in line)


def test_the_pdf_lists_each_opened_case_with_its_authority_and_branch(bazargan, tehran, inspector, west_az):
    first = _case(
        bazargan, tehran, inspector, "1405-BZG-00012884", "1405-MAK-101", authority="دادگاه انقلاب ماکو", branch="2"
    )
    _case(bazargan, tehran, inspector, "1405-BZG-00012885", "1405-MAK-102", authority="دادسرای ماکو")
    figures = returns.build_figures(1405, 8, west_az)
    text = _layout_text(exports.render_pdf(figures, version=1))
    assert _fa(HEADING) in text
    row = _line_of(text, "1405-MAK-101")  # identifiers as issued, Latin, whole
    assert "1405-BZG-00012884" in row
    assert "۱۴۰۵/۰۸/۰۳" in row
    assert _fa("دادگاه انقلاب ماکو شعبهٔ ۲") in row
    assert exports.format_number(first.goods_value, persian=True) in row  # grouped, Persian digits
    other = _line_of(text, "1405-MAK-102")
    assert "1405-BZG-00012885" in other and _fa("دادسرای ماکو") in other and "شعبه" not in other


def test_a_return_built_before_the_branch_was_kept_names_the_authority_alone(bazargan, tehran, inspector, west_az):
    _case(bazargan, tehran, inspector, "1405-BZG-00012884", "1405-MAK-101", authority="دادگاه انقلاب ماکو", branch="2")
    figures = returns.build_figures(1405, 8, west_az)
    for case in figures["cases"]["opened_list"]:
        case.pop("branch", None)
    row = _line_of(_layout_text(exports.render_pdf(figures, version=1)), "1405-MAK-101")
    assert _fa("دادگاه انقلاب ماکو") in row and "شعبه" not in row


def test_the_pdf_lists_at_most_its_limit_of_cases_and_says_where_the_rest_are(
    bazargan, tehran, inspector, west_az, monkeypatch
):
    for n in range(3):
        _case(bazargan, tehran, inspector, f"1405-BZG-0001288{n}", f"1405-MAK-10{n}", authority="تعزیرات")
    monkeypatch.setattr(exports, "PDF_CASE_LIMIT", 2)
    pdf = exports.render_pdf(returns.build_figures(1405, 8, west_az), version=1)
    assert sum(f"1405-MAK-10{n}" in _layout_text(pdf) for n in range(3)) == 2
    # the sentence in reading order; pdftotext moves a number's space to its other side («سند  ۲پرونده»)
    sentence = "".join(_fa("در این سند ۲ پرونده از ۳ پرونده آمده است").split())
    assert sentence in "".join(_fa(pdf_text(pdf)).split())


def test_a_month_with_no_case_opened_has_no_such_table(west_az):
    text = _layout_text(exports.render_pdf(returns.build_figures(1405, 8, west_az), version=1))
    assert _fa(HEADING) not in text
