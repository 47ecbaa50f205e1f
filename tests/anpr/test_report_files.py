"""A plate-reader report's file says what it is when it is forwarded: the XLSX opens with the report's title,
its period (Jalali), the scope it covers, when and by whom it was made, then the table under its header row;
the CSV stays the table alone (programs read its first line as the header) and says its period and scope by
its file name, as the XLSX's name does."""

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone

from anpr import ingest, reports
from core.dates import TEHRAN, format_jalali
from core.text import headings
from tests.anpr.sheets import sheet, table, title_block
from tests.export_jobs import download

pytestmark = pytest.mark.django_db
URL = "/anpr/reports/anpr-reads-per-office-day/"


def _day(days_ago: int) -> str:
    return format_jalali(timezone.now().astimezone(TEHRAN).date() - dt.timedelta(days=days_ago), persian=False)


def _now() -> str:
    return format_jalali(timezone.now(), persian=False)


def test_the_xlsx_opens_with_its_title_period_scope_and_maker_above_the_table(client, inspector, bzg_camera):
    inspector.first_name, inspector.last_name = "Sara", "Naderi"
    inspector.save()
    at = timezone.now() - dt.timedelta(hours=1)
    ingest.reads_ingest(camera=bzg_camera, items=[ingest.ReadInput(captured_at=at, plate_raw="12ب34567")])
    client.force_login(inspector)
    period = {"from": _day(3), "to": _day(0)}
    before = _now()
    response = download(client, URL, {**period, "format": "xlsx"})
    made = {before, _now()}
    ws = sheet(response)
    block = title_block(ws)
    assert block[:4] == [
        ["Plate reads per office per day"],
        ["period from", period["from"]],
        ["period to", period["to"]],
        ["scope", "Province: West Azerbaijan", "WAZ"],
    ]
    assert block[4][0] == "made at" and block[4][1] in made
    assert block[5:] == [["made by", "Sara Naderi"]]
    assert ws.cell(1, 1).font.b  # the title stands out
    assert ws.cell(4, 3).alignment.horizontal == "left"  # the province's code reads left to right, as codes do
    rows = table(ws)
    headers = headings(reports.ReadsPerOfficeDay.headers)  # each a capital first
    assert [c.value for c in rows[0]] == [headers[0], *headers[2:]]  # the office in one cell, as every XLSX has it
    assert [c.value for c in rows[1]][1:3] == ["Bazargan (BZG)", 1]
    days = period["from"].replace("/", "-") + "_" + period["to"].replace("/", "-")  # 1405-08-15_1405-09-14
    assert f'filename="anpr-reads-per-office-day_{days}_province-WAZ.xlsx"' in response["Content-Disposition"]
    # The CSV: header first as before, the period and scope in its name.
    response = download(client, URL, {**period, "format": "csv"})
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert lines[0] == headings(reports.ReadsPerOfficeDay.headers) and lines[1][1] == "BZG"
    assert f'filename="anpr-reads-per-office-day_{days}_province-WAZ.csv"' in response["Content-Disposition"]


@pytest.mark.persian
def test_an_offices_file_says_so_in_persian_and_a_plates_history_names_its_plate(client, dest_clerk, thr_camera):
    dest_clerk.first_name, dest_clerk.last_name = "", "=1+1"  # a name as typed in the admin: no formula in the file
    dest_clerk.save()
    client.force_login(dest_clerk)
    ws = sheet(download(client, "/anpr/reports/anpr-arrival-evidence/", {"format": "xlsx"}))
    block = title_block(ws)
    assert ws.sheet_view.rightToLeft
    assert block[0] == ["وصول‌های دارای قرائت پلاک به تفکیک گمرک"]
    assert block[1] == ["دوره از", _day(29)] and block[2] == ["دوره تا", _day(0)]
    assert block[3] == ["حوزه", "گمرک: گمرک تهران", "THR"]
    assert block[4][0] == "زمان تهیه" and block[5] == ["تهیه‌کننده", "'=1+1"]
    history = download(client, "/anpr/plates/", {"q": "12ب34567", "format": "xlsx"})
    block = title_block(sheet(history))
    assert block[0] == ["سابقه مشاهده پلاک"] and block[4] == ["پلاک", "12ب34567"]
    assert sheet(history).cell(5, 2).alignment.horizontal == "left"
    assert "anpr-plate-history-12%D8%A834567_" in history["Content-Disposition"]
    assert history["Content-Disposition"].endswith("_office-THR.xlsx")


# --- PDF ------------------------------------------------------------------------------------------

PLATE = "12ب34567"
SERIAL = "1404-THR-00010056"


def _seen_truck(tehran, bazargan, camera):
    """A truck on its way to Tehran, its declaration ``SERIAL``, read by ``camera`` an hour ago."""
    from declarations.services import declaration_depart
    from tests.factories import DeclarationFactory, VehicleFactory

    d = DeclarationFactory(serial=SERIAL, origin=bazargan, destination=tehran, vehicle=VehicleFactory(plate=PLATE))
    declaration_depart(declaration=d, by=None, at=timezone.now() - dt.timedelta(hours=20))
    at = timezone.now() - dt.timedelta(hours=1)
    (read,) = ingest.reads_ingest(camera=camera, items=[ingest.ReadInput(captured_at=at, plate_raw=PLATE)])
    from anpr import sightings

    sightings.reads_match(read_ids=[read.id])


@pytest.mark.persian
def test_a_plates_history_as_pdf_says_what_it_is_and_draws_the_plate_serial_and_camera_in_order(
    client, dest_clerk, tehran, bazargan
):
    """Persian on a Persian page, the XLSX's title block with Persian digits; the plate in its Persian
    form read right to left in its order, the serial and the camera's code left to right."""
    import re

    from anpr import services
    from core.dates import persian_digits
    from tests.pdftext import norm, pdf_text

    camera, _token = services.camera_register(office=tehran, code="THR-CAM-01", direction="in")
    _seen_truck(tehran, bazargan, camera)
    client.force_login(dest_clerk)
    period = {"from": _day(3), "to": _day(0)}
    response = download(client, "/anpr/plates/", {"q": PLATE, **period, "format": "pdf"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].endswith("_office-THR.pdf")
    text = pdf_text(response.content)
    assert norm("سابقه مشاهده پلاک") in text
    assert "دوره از" in text and persian_digits(period["from"]) in text
    assert "دوره تا" in text and persian_digits(period["to"]) in text
    assert "حوزه" in text and "گمرک تهران" in text and "مریم کریمی" in text
    # The plate «۱۲ ب ۳۴۵ - ایران ۶۷», its parts in reading order (pdftotext puts the dash either side).
    assert re.search(r"۱۲\s*ب\s*-?\s*۳۴۵\s*-?\s*ایران\s*۶۷", text), text
    assert SERIAL in text and "THR-00010056-1404" not in text
    assert "THR-CAM-01" in text and "CAM-01-THR" not in text


def test_a_plates_history_as_pdf_asked_from_an_english_page_is_in_english(client, dest_clerk, tehran, bazargan):
    """The PDF follows the language of the person who asked, as the CSV and the XLSX do: it is no official
    paper (the letters and the monthly return stay Persian)."""
    import re

    from anpr import services
    from tests.pdftext import pdf_text

    camera, _token = services.camera_register(office=tehran, code="THR-CAM-01", direction="in")
    _seen_truck(tehran, bazargan, camera)
    client.force_login(dest_clerk)
    period = {"from": _day(3), "to": _day(0)}
    text = pdf_text(download(client, "/anpr/plates/", {"q": PLATE, **period, "format": "pdf"}).content)
    assert "Plate sighting history" in text
    assert "period from" in text and period["from"] in text and period["to"] in text
    assert "Office: Tehran" in text and "Islamic Republic of Iran Customs Administration" in text
    assert SERIAL in text and "THR-CAM-01" in text
    assert re.search(r"period from\s+\d{4}/\d{2}/\d{2}", text) and "1/1" in text  # Latin digits, the page counter too
    assert "سابقه مشاهده پلاک" not in text and "دوره از" not in text and "بسمه تعالی" not in text


def test_a_report_as_pdf_from_the_reports_page(client, inspector, bzg_camera):
    from tests.pdftext import pdf_text

    at = timezone.now() - dt.timedelta(hours=1)
    ingest.reads_ingest(camera=bzg_camera, items=[ingest.ReadInput(captured_at=at, plate_raw=PLATE)])
    client.force_login(inspector)
    period = {"from": _day(3), "to": _day(0)}
    response = download(client, "/anpr/reports/anpr-camera-corrections/", {**period, "format": "pdf"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "Plate reads corrected by people, per camera" in text  # the language it was asked in
    assert "BZG-1" in text and "1-BZG" not in text
    page = client.get("/anpr/reports/anpr-camera-corrections/", period).content.decode()
    assert 'value="pdf"' in page
    assert '<bdi dir="ltr" class="ident ident-camera">BZG-1</bdi>' in page


def test_a_long_report_as_pdf_says_the_whole_table_is_in_the_xlsx(client, inspector, bzg_camera, monkeypatch):
    from tests.pdftext import pdf_text

    monkeypatch.setattr(reports, "PDF_MAX_ROWS", 1)
    for days_ago in (1, 2):
        at = timezone.now() - dt.timedelta(days=days_ago)
        ingest.reads_ingest(camera=bzg_camera, items=[ingest.ReadInput(captured_at=at, plate_raw=PLATE)])
    client.force_login(inspector)
    text = pdf_text(download(client, URL, {"format": "pdf"}).content)
    assert "This document holds the first 1 rows; the whole table is in the XLSX" in text
    assert text.count("BZG") == 1  # the first row only
