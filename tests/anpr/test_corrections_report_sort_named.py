"""The per-camera corrections report's files, asked from the page sorted by a column, all had the same name
(``anpr-camera-corrections_<days>_<scope>.csv``) whatever the sort, and nothing in them said how their rows were
sorted. The name now says the sort in Latin (``…-by-reads-desc_…``), and the XLSX's and the PDF's title block name
it as the exports page does («مرتب‌شده بر پایهٔ: قرائت‌ها (نزولی)»); the CSV, a table for programs, has no title
block: its name says it."""

import datetime as dt

import pytest
from django.utils import timezone

from anpr import ingest
from tests.anpr.sheets import sheet, title_block
from tests.export_jobs import download
from tests.pdftext import norm, pdf_text

pytestmark = pytest.mark.django_db
URL = "/anpr/reports/anpr-camera-corrections/"


@pytest.fixture
def read(thr_camera):
    at = (timezone.now() - dt.timedelta(hours=1)).replace(microsecond=0)
    ingest.reads_ingest(camera=thr_camera, items=[ingest.ReadInput(captured_at=at, plate_raw="12ب34560")])


def _name(response) -> str:
    return response["Content-Disposition"].split("filename=", 1)[1].strip('"')


def test_each_sort_has_its_own_file_name(client, hq, read):
    client.force_login(hq)
    by_reads = _name(download(client, URL, {"format": "csv", "sort": "2", "dir": "desc"}))
    by_camera = _name(download(client, URL, {"format": "csv", "sort": "1"}))
    unsorted = _name(download(client, URL, {"format": "csv"}))
    assert by_reads.startswith("anpr-camera-corrections-by-reads-desc_") and by_reads.endswith(".csv")
    assert by_camera.startswith("anpr-camera-corrections-by-camera-asc_")
    assert unsorted.startswith("anpr-camera-corrections_")
    pct = _name(download(client, URL, {"format": "xlsx", "sort": "5", "dir": "desc"}))
    assert pct.startswith("anpr-camera-corrections-by-corrected-of-reads-desc_") and pct.endswith(".xlsx")


@pytest.mark.persian
def test_the_xlsx_and_the_pdf_say_how_their_rows_are_sorted(client, hq, read):
    client.force_login(hq)
    lines = title_block(sheet(download(client, URL, {"format": "xlsx", "sort": "2", "dir": "desc"})))
    assert ["مرتب‌شده بر پایهٔ", "قرائت‌ها (نزولی)"] in lines
    unsorted = title_block(sheet(download(client, URL, {"format": "xlsx"})))
    assert not any(line[0] == "مرتب‌شده بر پایهٔ" for line in unsorted)
    text = pdf_text(download(client, URL, {"format": "pdf", "sort": "2", "dir": "desc"}).content)
    # pdftotext gives «پایهٔ» as «پایٔه»: the label's first words, and the sort
    assert norm("مرتب‌شده بر پای") in text and norm("قرائت‌ها (نزولی)") in text
