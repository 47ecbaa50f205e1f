"""The return's PDF over several pages: a row of the serial list is never split between two pages (its serial on
one, its reason on the next with no serial), and every page of a table starts with the table's header."""

import re

from reports import exports, returns
from tests.pdftext import norm, pdf_text

ROWS = 60


def _cells(i: int) -> list:
    """A serial row as ``exports.serial_cells`` gives it, its reason long enough to take several lines."""
    reason = f"R{i:04d} " + "علت ثبت‌شده برای این اظهارنامه که در چند سطر نوشته می‌شود و ادامه دارد " * 3
    return [f"TST{i:04d}", "BZG", "THR", "1404/04/01", "1404/04/10", "", "21", "other", reason, "", ""]


def test_each_page_of_the_serial_list_has_its_header_and_no_row_is_split(db, west_az):
    figures = returns.build_figures(1404, 5, west_az)
    figures["unsettled_count"] = ROWS
    pdf = exports.render_pdf(figures, version=1, serials=[_cells(i) for i in range(ROWS)])
    pages = pdf_text(pdf).split("\f")
    with_rows = [p for p in pages if re.search(r"TST\d{4}", p)]
    assert len(with_rows) >= 3  # the list spans pages
    for page in with_rows:  # the table's header (its narrow cells wrap: word by word) above the page's rows
        first_row = re.search(r"TST\d{4}", page).start()
        for word in ("شماره", "سریال", "مبدأ", "مقصد", "ترانزیت"):
            assert -1 < page.find(norm(word)) < first_row, word
    for i in range(ROWS):
        serial_page = [n for n, p in enumerate(pages) if f"TST{i:04d}" in p]
        reason_page = [n for n, p in enumerate(pages) if f"R{i:04d}" in p]
        assert serial_page == reason_page, f"row {i}: serial on {serial_page}, reason on {reason_page}"
