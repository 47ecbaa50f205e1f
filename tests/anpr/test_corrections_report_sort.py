"""The per-camera corrections report sorts by the column whose header was clicked, every one of them (the
column «corrected: not read from the photo» is gone, no index points at its neighbour), and its CSV, XLSX
and PDF, asked from a sorted page, hold the rows in the page's order."""

import datetime as dt
import re
from html import unescape

import pytest
from django.utils import timezone

from anpr import ingest, review, services
from anpr.models import PlateRead
from anpr.reports import CameraCorrections
from tests import files
from tests.anpr.sheets import sheet, table
from tests.export_jobs import download, job_of
from tests.pdftext import pdf_text

pytestmark = pytest.mark.django_db
URL = "/anpr/reports/anpr-camera-corrections/"


def _reads(camera, n: int, start: int) -> list[PlateRead]:
    at = (timezone.now() - dt.timedelta(hours=2)).replace(microsecond=0)
    items = [
        ingest.ReadInput(
            captured_at=at + dt.timedelta(seconds=i), plate_raw=f"12ب{start + i:03d}10", photo=files.jpeg((320, 240))
        )
        for i in range(n)
    ]
    return [PlateRead.objects.get(pk=r.id) for r in ingest.reads_ingest(camera=camera, items=items)]


@pytest.fixture
def cameras(thr_camera, bzg_camera, tehran, dest_clerk, hq):
    """Three cameras whose columns order them differently: each column sorts them in an order of its own."""
    thr2, _token = services.camera_register(office=tehran, code="THR-2", direction="out", lane="3")
    for camera, n, corrected, confirmed, start in (
        (thr_camera, 6, 1, 3, 100),
        (thr2, 2, 2, 0, 200),
        (bzg_camera, 4, 1, 1, 300),
    ):
        reads = _reads(camera, n, start)
        for read in reads[:corrected]:
            review.read_label(read=read, by=hq, plate="77ق88899")
        for read in reads[corrected : corrected + confirmed]:
            review.read_label(read=read, by=hq, plate=read.plate_raw)
    return ["THR-1", "THR-2", "BZG-1"]


def _page_rows(client, query: str) -> list[list[str]]:
    html = client.get(f"{URL}?{query}").content.decode()
    body = html.split('data-report="anpr-camera-corrections"', 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [
        [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td>(.*?)</td>", tr, re.S)]
        for tr in body.split("<tr>")[1:]
    ]


def _value(cell: str):
    try:
        return float(cell)
    except ValueError:
        return cell


def _camera_order(rows, cameras) -> list[str]:
    return [next(c for c in cameras if c in " ".join(map(str, row))) for row in rows]


def test_each_column_sorts_by_itself(client, hq, cameras):
    client.force_login(hq)
    headers = [str(h) for h in CameraCorrections.headers]
    for column, header in enumerate(headers):
        for direction in ("asc", "desc"):
            rows = _page_rows(client, f"sort={column}&dir={direction}")
            assert len(rows) == 3
            values = [_value(r[column]) for r in rows if r[column] != "—"]
            assert values == sorted(values, reverse=direction == "desc"), (header, direction, rows)
    # the header's link sorts by that header's own column
    html = client.get(URL).content.decode()
    links = re.findall(r'data-sort="(\d+)">([^<]+)</a>', html)
    assert [(int(i), unescape(h)) for i, h in links] == list(enumerate(headers))


def test_the_files_hold_the_rows_in_the_pages_order(client, hq, cameras):
    client.force_login(hq)
    # as listed: BZG-1, THR-1, THR-2 (by office, then camera)
    assert _camera_order(_page_rows(client, "sort=2&dir=desc"), cameras) == ["THR-1", "BZG-1", "THR-2"]  # reads
    # corrected % of reviewed: THR-2 (100), BZG-1 (50), THR-1 (25)
    assert _camera_order(_page_rows(client, "sort=6&dir=desc"), cameras) == ["THR-2", "BZG-1", "THR-1"]
    query = {"sort": "6", "dir": "desc"}

    csv = download(client, URL, {**query, "format": "csv"}).content.decode("utf-8-sig")
    assert _camera_order([line.split(",") for line in csv.splitlines()[1:]], cameras) == ["THR-2", "BZG-1", "THR-1"]

    rows = table(sheet(download(client, URL, {**query, "format": "xlsx"})))[1:]
    assert _camera_order([[c.value for c in r] for r in rows], cameras) == ["THR-2", "BZG-1", "THR-1"]

    text = pdf_text(download(client, URL, {**query, "format": "pdf"}).content)
    assert sorted(cameras, key=text.index) == ["THR-2", "BZG-1", "THR-1"]


def test_the_pages_file_buttons_ask_for_the_sort_the_page_shows(client, hq, cameras):
    client.force_login(hq)
    html = client.get(URL + "?sort=6&dir=desc").content.decode()
    form = html.split('<form class="row g-2 mb-3"', 1)[1].split("</form>", 1)[0]
    assert '<input type="hidden" name="sort" value="6">' in form
    assert '<input type="hidden" name="dir" value="desc">' in form
    job = job_of(client.get(URL, {"sort": "6", "dir": "desc", "format": "xlsx"}))
    assert "sort=6" in job.query and "dir=desc" in job.query
