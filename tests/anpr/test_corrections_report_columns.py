"""The per-camera corrections report has no column «corrected: not read from the photo» (a first reading is no
correction, it has its own column «read by a person (nothing read before)»), on the page and in its files; the
XLSX and the PDF carry the page's explanation of the columns."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from anpr import ingest, review
from anpr.models import LabelReason, MatchState, PlateRead, Recognition
from anpr.reports import CameraCorrections
from tests import files
from tests.export_jobs import download
from tests.pdftext import norm, pdf_text

pytestmark = pytest.mark.django_db


def _squeezed(text: str) -> str:
    """Without spaces and the hamza above (pdftotext puts «پایهٔ» as «پایٔه»)."""
    return "".join(norm(text).replace("\u0654", "").split())


@pytest.mark.persian
def test_no_dead_column_and_the_files_explain_the_columns(client, dest_clerk, hq, thr_camera):
    at = (timezone.now() - dt.timedelta(hours=2)).replace(microsecond=0)
    (r,) = ingest.reads_ingest(
        camera=thr_camera, items=[ingest.ReadInput(captured_at=at, photo=files.jpeg((320, 240)))]
    )
    PlateRead.objects.filter(pk=r.id).update(
        recognition=Recognition.UNREADABLE, confidence=0.0, match_state=MatchState.NO_PLATE
    )
    review.read_label(read=PlateRead.objects.get(pk=r.id), by=dest_clerk, plate="45ج71248")
    with translation.override("fa"):
        dead = f"{translation.gettext('corrected')}: {LabelReason.UNREADABLE.label}"
        explanation = str(CameraCorrections.explanation)
    assert dead == "اصلاح‌شده: خوانده نشد"

    client.force_login(hq)
    url = reverse("anpr:report", args=["anpr-camera-corrections"])
    page = client.get(url).content.decode()
    assert "data-report-explanation" in page and dead not in page

    csv = download(client, url, {"format": "csv"}).content.decode("utf-8-sig")
    head, row = csv.splitlines()[:2]
    assert dead not in head
    assert len(head.split(",")) == len(row.split(",")) == len(CameraCorrections.headers)

    sheet = load_workbook(io.BytesIO(download(client, url, {"format": "xlsx"}).content)).active
    cells = [c for line in sheet.iter_rows(values_only=True) for c in line if isinstance(c, str)]
    assert dead not in cells
    assert any(explanation in c for c in cells)

    pdf = pdf_text(download(client, url, {"format": "pdf"}).content)
    assert _squeezed(dead) not in _squeezed(pdf)
    assert _squeezed(explanation) in _squeezed(pdf)
