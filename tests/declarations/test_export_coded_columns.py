"""The declaration list's CSV and XLSX write each coded column by its label in the reader's language, as the
list shows it: the unsettled reason «مغایرت پلمپ», not ``seal_discrepancy``; the nationality «ترکیه», not ``TR``.
Each code stays in a column of its own after its label (as the monthly return's serial list keeps its reasons)."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from declarations.models import Status
from tests.export_jobs import exported
from tests.factories import DeclarationFactory, VehicleFactory
from tests.sheets import table

pytestmark = pytest.mark.django_db
HEADERS = {
    "fa": ("تابعیت", "کد تابعیت", "علت تسویه‌نشدن", "کد علت تسویه‌نشدن"),
    "en": ("Nationality", "Nationality code", "Unsettled reason", "Unsettled reason code"),
}
VALUES = {
    "fa": ("ترکیه", "TR", "مغایرت پلمپ", "seal_discrepancy"),
    "en": ("Türkiye", "TR", "seal discrepancy", "seal_discrepancy"),
}


@pytest.fixture
def unsettled(bazargan, tehran):
    return DeclarationFactory(
        origin=bazargan,
        destination=tehran,
        vehicle=VehicleFactory(plate="34ABC123", country="TR"),
        vehicle_country="TR",
        status=Status.UNSETTLED,
        unsettled_reason="seal_discrepancy",
    )


def _by_header(header: list, row: list, language: str) -> tuple:
    return tuple(row[header.index(name)] for name in HEADERS[language])


@pytest.mark.parametrize("language", ["fa", "en"])
def test_the_csv_names_the_coded_columns_by_their_labels(client, hq, unsettled, language, settings):
    client.force_login(hq)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    header, row = list(
        csv.reader(io.StringIO(exported(client, reverse("declarations:export-csv")).decode("utf-8-sig")))
    )
    assert _by_header(header, row, language) == VALUES[language]


@pytest.mark.parametrize("language", ["fa", "en"])
def test_the_xlsx_names_the_coded_columns_by_their_labels(client, hq, unsettled, language, settings):
    client.force_login(hq)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    head, row = table(load_workbook(io.BytesIO(exported(client, reverse("declarations:export-xlsx")))).worksheets[0])
    header, values = [c.value for c in head], [c.value for c in row]
    assert _by_header(header, values, language) == VALUES[language]
    plate = next(i for i, h in enumerate(header) if h in ("Plate", "پلاک"))
    assert values[plate] == "34ABC123 (TR)"  # the plate still given its country
