"""The serial list of a return is the month's end as it stood: a declaration registered and not departed by then
shows no arrival that came after the month, in the XLSX, the CSV and the PDF."""

import csv
import datetime as dt
import io

import openpyxl
import pytest

from core.dates import jalali_month_bounds
from declarations.models import Status
from reports import services
from reports.exports import SERIAL_SHEET
from tests.factories import DeclarationFactory
from tests.pdftext import pdf_text

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)
S, E = jalali_month_bounds(1404, 7)  # Mehr 1404


def test_an_arrival_after_the_month_is_not_in_the_month_end_list(bazargan, tehran, west_az, hq):
    DeclarationFactory(
        serial="1404-BZG-00002000",
        origin=bazargan,
        destination=tehran,
        declared_at=E - 2 * DAY,
        departed_at=E + 2 * DAY,  # departed after the month
        deadline=E + 9 * DAY,
        arrived_at=E + 4 * DAY,  # 1404/08/05
        status=Status.ARRIVED,
    )
    snap = services.return_build(year=1404, month=7, province=west_az, by=hq)
    assert snap.figures["unsettled_by_reason"]["not_departed"] == 1

    sheet = openpyxl.load_workbook(snap.xlsx.open("rb"))[SERIAL_SHEET]
    _header, row = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert row[0] == "1404-BZG-00002000" and row[7] == "not_departed"
    assert row[5] in (None, "") and row[6] in (None, "") and row[10] in (None, "")

    lines = list(csv.reader(io.StringIO(snap.csv.open("rb").read().decode("utf-8-sig"))))
    [line] = [r for r in lines if r and r[0] == "1404-BZG-00002000"]
    assert line[5] == "" and line[7] == "not_departed"

    text = pdf_text(snap.pdf.open("rb").read())
    assert "1404/08/05" not in text and "۱۴۰۴/۰۸/۰۵" not in text
