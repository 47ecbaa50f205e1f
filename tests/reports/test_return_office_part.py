"""Office staff see only their own office's part of their province's return (figures and serial
list, page, API and every export); inspectors the whole province; headquarters everything."""

import csv
import datetime as dt
import io

import openpyxl
import pytest

from core.dates import jalali_month_bounds
from declarations.models import Status, UnsettledReason
from reports import returns, services
from tests.export_jobs import exported
from tests.factories import DeclarationFactory, OfficeFactory, UserFactory
from tests.pdftext import pdf_text

DAY = dt.timedelta(days=1)
S, E = jalali_month_bounds(1404, 5)


@pytest.fixture
def urmia(west_az):
    return OfficeFactory(code="URM", name_fa="گمرک ارومیه", name_en="Urmia", province=west_az)


@pytest.fixture
def built(bazargan, urmia, tehran, west_az, inspector):
    """West Azerbaijan's return with two unsettled declarations from Bazargan and three from Urmia."""
    for i, origin in enumerate([bazargan, bazargan, urmia, urmia, urmia]):
        DeclarationFactory(
            serial=f"{origin.code}-{i}",
            origin=origin,
            destination=tehran,
            declared_at=S - (20 + i) * DAY,
            deadline=S - (16 + i) * DAY,
            status=Status.UNSETTLED,
            unsettled_reason=UnsettledReason.DUPLICATE_WAYBILL,
            unsettled_at=S - 10 * DAY,
        )
    return services.return_build(year=1404, month=5, province=west_az, by=inspector)


def _serials_in(text: str) -> set[str]:
    return {s for s in ("BZG-0", "BZG-1", "URM-2", "URM-3", "URM-4") if s in text}


def test_the_province_return_is_the_sum_of_its_office_parts(built):
    parts = built.figures["offices"]
    assert set(parts) == {"BZG", "URM"}
    for key in returns.BALANCE_KEYS:
        assert built.figures[key] == parts["BZG"][key] + parts["URM"][key], key
    assert (parts["BZG"]["closing"], parts["URM"]["closing"]) == (2, 3)


def test_office_staff_see_only_their_offices_part_everywhere(client, built, origin_clerk):
    client.force_login(origin_clerk)  # Bazargan
    listing = client.get("/reports/").content.decode()
    assert "— Bazargan" in listing  # its own part, named in the page's language
    page = client.get(f"/reports/returns/{built.pk}/")
    assert page.status_code == 200
    assert page.context["f"]["closing"] == 2 and page.context["f"]["unsettled_count"] == 2

    csv_text = b"".join(client.get(f"/reports/returns/{built.pk}/csv/").streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(csv_text)))
    assert ["balance", "closing", "مانده پایان ماه (تسویه‌نشده)", "2"] in rows
    assert ["return", "office", "BZG", "BZG"] in rows and "بازرگان" not in csv_text  # by code, for programs
    assert _serials_in(csv_text) == {"BZG-0", "BZG-1"}

    # The XLSX and the PDF are built by the worker: the link lands on the export's page.
    wb = openpyxl.load_workbook(io.BytesIO(exported(client, f"/reports/returns/{built.pk}/xlsx/")))
    serials = [r[0] for r in wb["سریال‌های تسویه‌نشده"].iter_rows(min_row=2, values_only=True)]
    assert serials == ["BZG-0", "BZG-1"]
    assert wb["سریال‌های تسویه‌نشده"].cell(2, 7).value == 47  # days past the deadline stay a number
    summary = {r[0]: r[1] for r in wb["خلاصه"].iter_rows(values_only=True)}
    assert summary["مانده پایان ماه (تسویه‌نشده)"] == 2
    assert summary["گمرک (سهم آن از گزارش استان)"] == "گمرک بازرگان (BZG)"  # as every other cell names an office

    pdf = exported(client, f"/reports/returns/{built.pk}/pdf/")
    assert _serials_in(pdf_text(pdf)) == {"BZG-0", "BZG-1"}

    (listed,) = client.get("/api/reports/returns/").json()["results"]
    assert listed["unsettled_count"] == 2
    detail = client.get(f"/api/reports/returns/{built.pk}/").json()
    assert detail["figures"]["closing"] == 2 and "offices" not in detail["figures"]
    assert client.get("/api/reports/trend/", {"province": "WAZ"}).json()["series"]["closing"] == [2]


def test_the_inspector_and_headquarters_get_the_whole_return(client, built, inspector, hq):
    for user in (inspector, hq):
        client.force_login(user)
        csv_text = b"".join(client.get(f"/reports/returns/{built.pk}/csv/").streaming_content).decode("utf-8-sig")
        assert len(_serials_in(csv_text)) == 5
        assert client.get(f"/api/reports/returns/{built.pk}/").json()["figures"]["closing"] == 5


def test_office_staff_of_another_province_see_nothing(client, built, dest_clerk, urmia):
    client.force_login(dest_clerk)  # Tehran
    assert client.get(f"/reports/returns/{built.pk}/").status_code == 404
    assert client.get(f"/reports/returns/{built.pk}/csv/").status_code == 404
    urmia_clerk = UserFactory(username="urmia_clerk", role="office", office=urmia)
    client.force_login(urmia_clerk)
    csv_text = b"".join(client.get(f"/reports/returns/{built.pk}/csv/").streaming_content).decode("utf-8-sig")
    assert _serials_in(csv_text) == {"URM-2", "URM-3", "URM-4"}


def test_an_offices_part_xlsx_reads_its_serials_left_to_right_as_the_whole_return_does(client, built, origin_clerk):
    client.force_login(origin_clerk)  # Bazargan
    wb = openpyxl.load_workbook(io.BytesIO(exported(client, f"/reports/returns/{built.pk}/xlsx/")))
    sheet = wb["سریال‌های تسویه‌نشده"]
    assert sheet.sheet_view.rightToLeft
    for row in (2, 3):
        cell = sheet.cell(row, 1)
        assert cell.value in ("BZG-0", "BZG-1")
        assert (cell.alignment.horizontal, cell.alignment.readingOrder) == ("left", 1)
    assert sheet.cell(2, 9).alignment.horizontal is None  # the reason, Persian text, keeps the sheet's direction
