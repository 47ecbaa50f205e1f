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
from tests.anpr.sheets import sheet, table, title_block

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
    response = client.get(URL, {**period, "format": "xlsx"})
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
    assert [c.value for c in rows[0]] == [str(h) for h in reports.ReadsPerOfficeDay.headers]
    assert [c.value for c in rows[1]][1:4] == ["BZG", "Bazargan", 1]
    days = period["from"].replace("/", "") + "-" + period["to"].replace("/", "")
    assert f'filename="anpr-reads-per-office-day_{days}_province-WAZ.xlsx"' in response["Content-Disposition"]
    # The CSV: header first as before, the period and scope in its name.
    response = client.get(URL, {**period, "format": "csv"})
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert lines[0] == [str(h) for h in reports.ReadsPerOfficeDay.headers] and lines[1][1] == "BZG"
    assert f'filename="anpr-reads-per-office-day_{days}_province-WAZ.csv"' in response["Content-Disposition"]


@pytest.mark.persian
def test_an_offices_file_says_so_in_persian_and_a_plates_history_names_its_plate(client, dest_clerk, thr_camera):
    dest_clerk.first_name, dest_clerk.last_name = "", "=1+1"  # a name as typed in the admin: no formula in the file
    dest_clerk.save()
    client.force_login(dest_clerk)
    ws = sheet(client.get("/anpr/reports/anpr-arrival-evidence/", {"format": "xlsx"}))
    block = title_block(ws)
    assert ws.sheet_view.rightToLeft
    assert block[0] == ["وصول‌های دارای قرائت پلاک به تفکیک گمرک"]
    assert block[1] == ["دوره از", _day(29)] and block[2] == ["دوره تا", _day(0)]
    assert block[3] == ["حوزه", "گمرک: گمرک تهران", "THR"]
    assert block[4][0] == "زمان تهیه" and block[5] == ["تهیه‌کننده", "'=1+1"]
    history = client.get("/anpr/plates/", {"q": "12ب34567", "format": "xlsx"})
    block = title_block(sheet(history))
    assert block[0] == ["سابقه مشاهده پلاک"] and block[4] == ["پلاک", "12ب34567"]
    assert sheet(history).cell(5, 2).alignment.horizontal == "left"
    assert "anpr-plate-history-12%D8%A834567_" in history["Content-Disposition"]
    assert history["Content-Disposition"].endswith("_office-THR.xlsx")
