"""The declaration list's XLSX writes each truck's plate as the pages show it: an Iranian plate in its Persian
form («۹۵ م ۴۸۱ - ایران ۵۹»), a text cell that reads right to left in the order it is spoken; a foreign plate
as written, left to right. The CSV writes it so too (it wrote ``95م48159``, the compact stored form), and keeps
the stored form in a column of its own for programs."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.export_jobs import exported
from tests.factories import DeclarationFactory, VehicleFactory
from tests.sheets import table

pytestmark = pytest.mark.django_db
XLSX = reverse("declarations:export-xlsx")
CSV = reverse("declarations:export-csv")


@pytest.fixture
def trucks(bazargan, tehran):
    iranian = DeclarationFactory(origin=bazargan, destination=tehran, vehicle=VehicleFactory(plate="95م48159"))
    foreign = DeclarationFactory(
        origin=bazargan,
        destination=tehran,
        vehicle=VehicleFactory(plate="34ABC123", country="TR"),
        vehicle_country="TR",
    )
    return iranian, foreign


def _plates(data: bytes) -> dict[str, tuple]:
    """Each row's plate cell by serial: (value, type, reading order)."""
    head, *rows = table(load_workbook(io.BytesIO(data)).worksheets[0])
    header = [c.value for c in head]
    serial, plate = 0, next(i for i, h in enumerate(header) if h in ("Plate", "پلاک"))
    out = {}
    for row in rows:
        cell = row[plate]
        out[row[serial].value] = (cell.value, cell.data_type, cell.alignment.readingOrder)
    return out


@pytest.mark.parametrize("language", ["fa", "en"])
def test_the_xlsx_writes_a_plate_as_the_pages_show_it(client, hq, trucks, language, settings):
    iranian, foreign = trucks
    client.force_login(hq)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language

    plates = _plates(exported(client, XLSX))

    assert plates[iranian.serial] == ("۹۵ م ۴۸۱ - ایران ۵۹", "s", 2)  # right to left, as spoken
    assert plates[foreign.serial] == ("34ABC123 (TR)", "s", 1)  # with its country, as the pages show it


@pytest.mark.parametrize(("language", "stored"), [("fa", "پلاک به شکل ذخیره‌شده"), ("en", "Plate as stored")])
def test_the_csv_writes_a_plate_as_the_pages_show_it_and_keeps_the_stored_form(
    client, hq, trucks, language, stored, settings
):
    iranian, foreign = trucks
    client.force_login(hq)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    text = exported(client, CSV).decode("utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(text)))
    plate = next(i for i, h in enumerate(header) if h in ("Plate", "پلاک"))
    assert header[plate + 1] == stored
    by_serial = {r[0]: (r[plate], r[plate + 1]) for r in rows}
    assert by_serial[iranian.serial] == ("۹۵ م ۴۸۱ - ایران ۵۹", "95م48159")
    assert by_serial[foreign.serial] == ("34ABC123 (TR)", "34ABC123")
