"""The files' English headers were mostly lower case («office», «serial»): each file's header row starts every
column with a capital, as the pages' headers show them (``core.text.headings``); Persian files are as they were."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.export_jobs import download, exported
from tests.sheets import table

pytestmark = pytest.mark.django_db


def _capitalised(headers) -> bool:
    return all(h[:1] == h[:1].upper() for h in headers) and any(h[:1].isalpha() for h in headers)


def test_the_declarations_csv_and_xlsx_headers_start_with_a_capital(client, hq, declaration):
    client.force_login(hq)
    header = next(csv.reader(io.StringIO(exported(client, reverse("declarations:export-csv")).decode("utf-8-sig"))))
    assert "Serial" in header and _capitalised(header), header
    head, *_rows = table(load_workbook(io.BytesIO(exported(client, reverse("declarations:export-xlsx")))).worksheets[0])
    assert _capitalised([c.value for c in head])


def test_a_plate_reader_reports_files_headers_start_with_a_capital(client, hq, thr_camera):
    client.force_login(hq)
    url = reverse("anpr:report", args=["anpr-camera-corrections"])
    header = next(csv.reader(io.StringIO(download(client, url, {"format": "csv"}).content.decode("utf-8-sig"))))
    assert header[:2] == ["Office", "Camera"] and _capitalised(header)


def test_the_import_templates_guide_sheet_headers_start_with_a_capital(db):
    from declarations import import_template

    book = load_workbook(io.BytesIO(import_template.template_xlsx()))
    guide = book.worksheets[-1]
    assert [c.value for c in next(guide.iter_rows(max_row=1))] == ["Column", "Required", "What it holds"]
