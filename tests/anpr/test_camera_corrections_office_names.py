"""The per-camera corrections report names each camera's office as people call it («گمرک تهران»), on the page,
in the PDF and in the XLSX, not by its code (THR) under «office code»."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from anpr import ingest
from tests.anpr.sheets import sheet, table
from tests.export_jobs import download
from tests.pdftext import pdf_text

pytestmark = pytest.mark.django_db
URL = "/anpr/reports/anpr-camera-corrections/"


@pytest.fixture
def read(thr_camera):
    at = (timezone.now() - dt.timedelta(hours=1)).replace(microsecond=0)
    ingest.reads_ingest(camera=thr_camera, items=[ingest.ReadInput(captured_at=at, plate_raw="12ب34560")])


@pytest.mark.persian
def test_the_page_names_the_office(client, hq, read):
    client.force_login(hq)
    html = client.get(URL).content.decode()
    report = html.split('data-report="anpr-camera-corrections"', 1)[1].split("</table>", 1)[0]
    head, row = report.split("<tbody>", 1)
    assert "کد گمرک" not in head
    first = row.split("<td>", 2)[1].split("</td>", 1)[0]
    assert "گمرک تهران" in first and "THR" not in first


def test_the_pdf_and_the_xlsx_name_the_office(client, hq, read):
    client.force_login(hq)
    text = pdf_text(download(client, URL, {"format": "pdf"}).content)
    assert "Tehran" in text and "office code" not in text
    rows = table(sheet(download(client, reverse("anpr:report", args=["anpr-camera-corrections"]), {"format": "xlsx"})))
    assert rows[0][0].value == "Office" and rows[1][0].value.startswith("Tehran")
