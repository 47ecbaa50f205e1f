"""The return's PDF draws every serial of its list in order (issue 11, item 20)."""

import datetime as dt

from core.dates import jalali_month_bounds
from declarations.models import Status
from reports import exports, returns
from tests.factories import DeclarationFactory
from tests.pdftext import pdf_text

S, E = jalali_month_bounds(1404, 5)
SERIAL = "1404-BZG-00010056"


def test_the_return_pdf_lists_serials_in_their_order(bazargan, tehran, west_az):
    DeclarationFactory(
        serial=SERIAL,
        origin=bazargan,
        destination=tehran,
        declared_at=S - dt.timedelta(days=20),
        status=Status.IN_TRANSIT,
        departed_at=S - dt.timedelta(days=19),
        deadline=S - dt.timedelta(days=5),
    )
    text = pdf_text(exports.render_pdf(returns.build_figures(1404, 5, west_az)))
    assert SERIAL in text
    assert "BZG-00010056-1404" not in text


def test_the_return_xlsx_reads_serials_left_to_right_as_plain_text(bazargan, tehran, west_az):
    import io

    import openpyxl

    DeclarationFactory(
        serial=SERIAL,
        origin=bazargan,
        destination=tehran,
        declared_at=S - dt.timedelta(days=20),
        status=Status.IN_TRANSIT,
        departed_at=S - dt.timedelta(days=19),
        deadline=S - dt.timedelta(days=5),
    )
    buf = io.BytesIO()
    exports.write_xlsx(returns.build_figures(1404, 5, west_az), buf)
    buf.seek(0)
    sheet = openpyxl.load_workbook(buf)["سریال‌های تسویه‌نشده"]
    assert sheet.sheet_view.rightToLeft
    cell = sheet["A2"]
    assert cell.value == SERIAL
    assert cell.alignment.readingOrder == 1 and cell.alignment.horizontal == "left"
