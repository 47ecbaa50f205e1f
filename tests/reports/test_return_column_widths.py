"""The return's XLSX sizes its columns to their content: an office's full name in the unsettled serials'
sheet is read whole, not cut at a fixed width of 10; a column is never narrower than its set width nor
wider than the cap."""

import datetime as dt
import io

import openpyxl
from openpyxl.utils import get_column_letter

from core.dates import jalali_month_bounds
from declarations.models import Status, UnsettledReason
from reports import tasks
from reports.exports import SERIAL_SHEET
from reports.models import MonthlyReturn
from reports.xlsx_stream import MAX_WIDTH, XlsxWriter
from tests.factories import DeclarationFactory

S, _E = jalali_month_bounds(1404, 5)
DAY = dt.timedelta(days=1)
LONG_NAME = "گمرک تهران (شهید رجایی تهران)"


def test_the_serial_sheet_shows_office_names_whole(bazargan, tehran, west_az, inspector):
    tehran.name_fa = LONG_NAME
    tehran.save()
    DeclarationFactory(
        origin=bazargan,
        destination=tehran,
        declared_at=S - 20 * DAY,
        status=Status.UNSETTLED,
        arrived_at=S - 15 * DAY,
        deadline=S - 16 * DAY,
        unsettled_reason=UnsettledReason.DUPLICATE_WAYBILL,
        unsettled_at=S - 10 * DAY,
    )
    snap = MonthlyReturn.objects.get(pk=tasks.build_monthly_return.delay(1404, 5, west_az.pk, inspector.pk).get())
    sheet = openpyxl.load_workbook(snap.xlsx.open("rb"))[SERIAL_SHEET]
    destination = sheet["C2"].value
    assert LONG_NAME in destination and "THR" in destination
    assert sheet.column_dimensions["C"].width >= len(destination)
    assert sheet.column_dimensions["B"].width >= len(sheet["B2"].value)
    assert sheet.column_dimensions["A"].width >= 18  # the width asked for, at least


def test_a_column_is_capped_and_sized_past_the_widths_given():
    out = io.BytesIO()
    with XlsxWriter(out) as wb:
        wb.sheet("s", [["x" * 500, "a", "کوتاه"]], header=["h1", "h2", "ستونی با عنوانی بلند"], widths=[10])
    sheet = openpyxl.load_workbook(io.BytesIO(out.getvalue()))["s"]
    widths = [sheet.column_dimensions[get_column_letter(i)].width for i in (1, 2, 3)]
    assert widths[0] == MAX_WIDTH
    assert 3 <= widths[1] < 10
    assert widths[2] >= len("ستونی با عنوانی بلند")
