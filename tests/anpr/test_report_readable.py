"""A plate's sighting history as a file reads as its page does: the reader's confidence as a whole percentage
(۸۷٪ in Persian, 87% in English, a percentage cell in the XLSX), never the fraction 0.865; who read the
plate by its label, never the engine's code, in the CSV too. The CSV, a table for programs, keeps the fraction."""

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone

from anpr import ingest
from anpr.models import PlateRead
from tests.anpr.sheets import sheet, table
from tests.export_jobs import download
from tests.pdftext import norm, pdf_text

pytestmark = pytest.mark.django_db
PLATE = "12ب34567"


@pytest.fixture
def two_reads(thr_camera):
    """The camera's own reading at 0.865 (87%, rounded half up as a spreadsheet does), the neural network's
    at 0.9349 (93%)."""
    now = timezone.now()
    items = [
        ingest.ReadInput(captured_at=now - dt.timedelta(hours=2), plate_raw=PLATE, confidence=0.865),
        ingest.ReadInput(captured_at=now - dt.timedelta(hours=1), plate_raw=PLATE, confidence=0.5),
    ]
    older, newer = ingest.reads_ingest(camera=thr_camera, items=items)
    PlateRead.objects.filter(pk=newer.id).update(engine="plate_crnn", confidence=0.9349)  # as the OCR task records it


def _columns(rows) -> list[tuple]:
    """(engine, confidence) of each row under the header, newest first."""
    return [(row[5].value, row[6].value, row[6].number_format) for row in rows[1:]]


@pytest.mark.persian
def test_the_persian_page_xlsx_and_pdf_give_the_same_percentage_and_label(client, dest_clerk, two_reads):
    client.force_login(dest_clerk)
    page = client.get("/anpr/plates/", {"q": PLATE}).content.decode()
    assert "۸۷٪" in page and "۹۳٪" in page
    assert "خوانش خود دوربین" in page and "پلاک‌خوان (شبکهٔ عصبی)" in page
    rows = table(sheet(download(client, "/anpr/plates/", {"q": PLATE, "format": "xlsx"})))
    assert _columns(rows) == [("پلاک‌خوان (شبکهٔ عصبی)", 0.93, "0%"), ("خوانش خود دوربین", 0.87, "0%")]
    assert rows[1][5].alignment.horizontal != "left"  # a label in words, not a code read left to right
    text = pdf_text(download(client, "/anpr/plates/", {"q": PLATE, "format": "pdf"}).content)
    assert "۸۷٪" in text and "۹۳٪" in text
    # pdftotext writes the hamza above «هٔ» before its letter: the label is checked around it.
    assert norm("خوانش خود دوربین") in text and norm("پلاک‌خوان (شبک") in text and "عصبی)" in text
    assert "0.865" not in text and "۰٫۸۶۵" not in text and "plate_crnn" not in text and "camera" not in text


def test_the_english_xlsx_names_the_engine_in_english(client, dest_clerk, two_reads):
    client.force_login(dest_clerk)
    rows = table(sheet(download(client, "/anpr/plates/", {"q": PLATE, "format": "xlsx"})))
    assert _columns(rows) == [
        ("the plate reader (neural network)", 0.93, "0%"),
        ("the camera's own reading", 0.87, "0%"),
    ]


def _csv_columns(response) -> list[tuple[str, str]]:
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    return [(line[5], line[6]) for line in lines[1:]]


@pytest.mark.persian
def test_the_persian_csv_names_the_engine_as_the_xlsx_and_the_pdf_do(client, dest_clerk, two_reads):
    """«خوانش خود دوربین» in the «موتور تشخیص» column, not the code ``camera``; the fraction stays for programs."""
    client.force_login(dest_clerk)
    response = download(client, "/anpr/plates/", {"q": PLATE, "format": "csv"})
    assert _csv_columns(response) == [("پلاک‌خوان (شبکهٔ عصبی)", "0.9349"), ("خوانش خود دوربین", "0.865")]


def test_the_english_csv_names_the_engine_in_english(client, dest_clerk, two_reads):
    client.force_login(dest_clerk)
    response = download(client, "/anpr/plates/", {"q": PLATE, "format": "csv"})
    assert _csv_columns(response) == [
        ("the plate reader (neural network)", "0.9349"),
        ("the camera's own reading", "0.865"),
    ]
