"""Each waiting read is counted in one tab of the review queue, the first of ``review.KINDS`` it is in (the
reason its label will keep); «all» counts them, the sum of the tabs; a photo nothing was read from has no
confidence to show: «—», never «۰٪», on the pages and in the report's files."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from anpr import ingest, review, sightings
from anpr.models import LabelReason, MatchState, PlateRead, Recognition
from declarations.services import declaration_confirm_arrival, declaration_depart
from tests import files
from tests.export_jobs import download
from tests.factories import DeclarationFactory, VehicleFactory
from tests.pdftext import pdf_text

pytestmark = pytest.mark.django_db
PLATE = "45ج71248"
CONFIDENCE = "درجه اطمینان"


def _read(camera, hours_ago: float, plate_raw: str = "", confidence: float | None = None) -> PlateRead:
    at = (timezone.now() - dt.timedelta(hours=hours_ago)).replace(microsecond=0)
    item = ingest.ReadInput(captured_at=at, plate_raw=plate_raw, confidence=confidence, photo=files.jpeg((320, 240)))
    (r,) = ingest.reads_ingest(camera=camera, items=[item])
    if plate_raw:
        sightings.reads_match(read_ids=[r.id])
    else:  # a photo the reader read nothing from
        PlateRead.objects.filter(pk=r.id).update(
            recognition=Recognition.UNREADABLE, confidence=0.0, match_state=MatchState.NO_PLATE
        )
    return PlateRead.objects.get(pk=r.id)


def _tabs(page: str) -> dict[str, int]:
    nav = page.split("data-review-tabs", 1)[1].split("</ul>", 1)[0]
    return {
        part.split('"', 1)[0]: int(part.split('data-count="', 1)[1].split('"', 1)[0])
        for part in nav.split('data-kind="')[1:]
    }


def _row(page: str, read: PlateRead) -> str:
    return page.split(f'data-read="{read.pk}"', 1)[1].split("</tr>", 1)[0]


@pytest.mark.persian
def test_each_read_is_in_one_tab_all_counts_them_and_an_unread_photo_has_no_confidence(
    client, dest_clerk, bazargan, tehran, thr_camera
):
    d = DeclarationFactory(origin=bazargan, destination=tehran, vehicle=VehicleFactory(plate="12ب34565"))
    declaration_depart(declaration=d, by=None, at=timezone.now() - dt.timedelta(hours=20))
    declaration_confirm_arrival(
        declaration=d, by=dest_clerk, at=timezone.now() - dt.timedelta(hours=5), unseen_reason="camera misread"
    )
    # Read unsure and near the arrival: two reasons, one tab (near an arrival comes first).
    both = _read(thr_camera, 5.2, plate_raw="12ب84365", confidence=0.5)
    unread = _read(thr_camera, 5.1)  # no text, near the arrival too
    low = _read(thr_camera, 1, plate_raw="22ب33344", confidence=0.6)
    assert set(review.reasons_of(both, dest_clerk)) == {LabelReason.NEAR_ARRIVAL, LabelReason.LOW_CONFIDENCE}
    client.force_login(dest_clerk)
    url = reverse("anpr:review-queue")
    page = client.get(url).content.decode()
    tabs = _tabs(page)
    assert tabs[LabelReason.NEAR_ARRIVAL] == 2 and tabs[LabelReason.LOW_CONFIDENCE] == 1
    assert tabs[LabelReason.UNREADABLE] == 0
    assert tabs["all"] == sum(n for kind, n in tabs.items() if kind != "all") == 3
    for kind, n in tabs.items():
        if kind != "all":
            shown = client.get(url, {"kind": kind}).content.decode()
            assert shown.count("<tr data-read=") == n, kind
    low_page = client.get(url, {"kind": LabelReason.LOW_CONFIDENCE}).content.decode()
    assert f'data-read="{low.pk}"' in low_page and f'data-read="{both.pk}"' not in low_page

    row = _row(page, unread)
    assert "۰٪" not in row and "—" in row
    assert "۵۰٪" in _row(page, both)


@pytest.mark.persian
def test_an_unread_photo_read_by_a_person_shows_no_confidence_on_the_camera_page_and_in_the_files(
    client, dest_clerk, hq, thr_camera
):
    unread = _read(thr_camera, 2)
    review.read_label(read=unread, by=dest_clerk, plate=PLATE)
    client.force_login(dest_clerk)
    camera_page = client.get(reverse("anpr:camera", args=[thr_camera.pk])).content.decode()
    assert "۰٪" not in _row(camera_page, unread)
    search = client.get(reverse("anpr:plates"), {"q": PLATE}).content.decode()
    assert "۰٪" not in _row(search, unread)

    url = reverse("anpr:plates")
    xlsx = load_workbook(io.BytesIO(download(client, url, {"q": PLATE, "format": "xlsx"}).content))
    rows = list(xlsx.active.iter_rows(values_only=True))
    header = next(r for r in rows if CONFIDENCE in r)
    body = rows[rows.index(header) + 1]
    assert body[header.index(CONFIDENCE)] in (None, "", "—"), body
    pdf = pdf_text(download(client, url, {"q": PLATE, "format": "pdf"}).content)
    assert "۰٪" not in pdf
    csv = download(client, url, {"q": PLATE, "format": "csv"}).content.decode("utf-8-sig")
    head, line = csv.splitlines()[:2]
    cells = dict(zip(head.split(","), line.split(","), strict=True))
    assert cells[CONFIDENCE] == ""
