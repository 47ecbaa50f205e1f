"""The import page lists its columns and gives a template whose example row is valid but never imported: a file
still holding it is refused, naming the row, so that the example is not stored as a real declaration."""

import datetime as dt
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from core import dates
from declarations.importer import COLUMNS
from declarations.models import TransitDeclaration
from tests.factories import OfficeFactory

EXAMPLE = f"{dates.date_example()[:4]}-EXAMPLE-0001"  # this Jalali year's


def _import(client, name, body):
    return client.post(reverse("declarations:import"), {"file": SimpleUploadedFile(name, body)})


def _filled(body: bytes, fmt: str, serial: str = "1404-BZG-0001") -> bytes:
    """The template with its example row made a real one: its serial replaced."""
    if fmt == "csv":
        return body.replace(EXAMPLE.encode(), serial.encode())
    book = load_workbook(io.BytesIO(body))
    book.worksheets[0]["A2"] = serial
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_page_describes_every_column_and_links_both_templates(client, hq, bazargan, tehran):
    client.force_login(hq)
    html = client.get(reverse("declarations:import")).content.decode()
    for column in COLUMNS:
        assert f'data-column="{column}"' in html
    assert reverse("declarations:import-template", args=["xlsx"]) in html
    assert reverse("declarations:import-template", args=["csv"]) in html


def test_the_xlsx_template_imports_its_example_row_once_it_is_a_real_one(client, hq, bazargan, tehran):
    client.force_login(hq)
    response = client.get(reverse("declarations:import-template", args=["xlsx"]))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert [c.value for c in book.worksheets[0][1]] == COLUMNS
    assert not book.worksheets[1].sheet_view.rightToLeft  # the column guide, in English, reads left to right
    client.cookies["django_language"] = "fa"
    persian = load_workbook(io.BytesIO(client.get(reverse("declarations:import-template", args=["xlsx"])).content))
    assert persian.worksheets[1].sheet_view.rightToLeft  # in Persian, right to left
    del client.cookies["django_language"]
    result = _import(client, "template.xlsx", _filled(response.content, "xlsx"))
    assert result.status_code == 200
    assert 'data-count="created">1<' in result.content.decode()
    assert TransitDeclaration.objects.filter(serial="1404-BZG-0001").exists()


def test_the_csv_template_imports_its_example_row_once_it_is_a_real_one(client, hq, bazargan, tehran):
    client.force_login(hq)
    response = client.get(reverse("declarations:import-template", args=["csv"]))
    assert response.content.startswith(b"\xef\xbb\xbf")  # Excel opens it as UTF-8
    result = _import(client, "template.csv", _filled(response.content, "csv"))
    assert 'data-count="rejected">0<' in result.content.decode()
    assert TransitDeclaration.objects.filter(serial="1404-BZG-0001").count() == 1


def test_the_example_row_is_of_this_jalali_year(client, hq, bazargan, tehran):
    """The example serial was 1404-EXAMPLE-0001 in 1405: an old year's, hard-coded. Its dates are this year's too
    (the declaration time a day ago: last year's only on the first day of a year)."""
    client.force_login(hq)
    template = client.get(reverse("declarations:import-template", args=["csv"])).content.decode("utf-8-sig")
    header, example = template.strip().splitlines()
    row = dict(zip(header.split(","), example.split(","), strict=True))
    year = int(dates.date_example()[:4])
    assert row["serial"] == f"{year}-EXAMPLE-0001"
    dated = [value for value in row.values() if re.fullmatch(r"\d{4}/\d\d/\d\d( \d\d:\d\d)?", value)]
    assert dated and all(int(value[:4]) in (year, year - 1) for value in dated), row
    yesterday = dates.format_jalali(timezone.now() - dt.timedelta(days=1), with_time=False, persian=False)
    assert row["declared_at"].startswith(yesterday)


def test_an_older_years_example_row_is_refused_as_the_example_too(client, hq, bazargan, tehran):
    """A template downloaded last year and filled this year still holds last year's example serial."""
    client.force_login(hq)
    template = client.get(reverse("declarations:import-template", args=["csv"])).content
    older = template.replace(EXAMPLE.encode(), f"{int(EXAMPLE[:4]) - 1}-EXAMPLE-0001".encode())
    result = _import(client, "old.csv", older)
    assert result.status_code == 400
    assert "row 2 is the template&#x27;s example" in result.content.decode()
    assert not TransitDeclaration.objects.exists()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_file_still_holding_the_example_row_is_refused_naming_it_and_nothing_is_imported(
    client, hq, bazargan, tehran, fmt
):
    """The example row left in a filled template was imported as a real declaration, 1404-EXAMPLE-0001."""
    client.force_login(hq)
    template = client.get(reverse("declarations:import-template", args=[fmt])).content
    result = _import(client, f"template.{fmt}", template)
    assert result.status_code == 400
    page = result.content.decode()
    assert "row 2 is the template&#x27;s example" in page and "delete it" in page, page
    assert not TransitDeclaration.objects.exists()


def test_the_example_row_below_real_rows_is_refused_too_and_none_of_them_is_imported(client, hq, bazargan, tehran):
    """Found by the worker (past the first row the page reads): the batch fails naming the row, nothing stored."""
    client.force_login(hq)
    template = client.get(reverse("declarations:import-template", args=["csv"])).content.decode("utf-8-sig")
    header, example = template.strip().splitlines()
    real = example.replace(EXAMPLE, "1404-BZG-0002")
    body = "\n".join([header, real, example.replace(EXAMPLE, EXAMPLE.lower())]).encode()
    page = _import(client, "mixed.csv", body).content.decode()
    assert "row 3 is the template&#x27;s example" in page, page
    assert not TransitDeclaration.objects.exists()


def test_only_those_who_import_get_the_template_and_only_in_two_formats(client, hq, inspector):
    client.force_login(inspector)
    assert client.get(reverse("declarations:import-template", args=["csv"])).status_code == 403
    client.force_login(hq)
    assert client.get(reverse("declarations:import-template", args=["pdf"])).status_code == 404


@pytest.mark.persian
def test_the_persian_column_guide_gives_its_examples_in_persian_digits_as_the_importer_reads_them(
    client, hq, bazargan, tehran
):
    client.force_login(hq)
    html = client.get(reverse("declarations:import")).content.decode()
    # each example isolated so the sentence does not reorder it; the plate as the app shows plates
    example = dates.persian_digits(dates.datetime_example())  # this Jalali year's
    assert f"\u2066{example}\u2069" in html and "\u2067۱۲ ع ۳۴۵ - ایران ۶۷\u2069" in html
    assert dates.datetime_example() not in html and "12ع34567" not in html
    # the status values, typed as they stand, each kept apart from the Persian words around it
    assert "یکی از \u2066registered\u2069، \u2066in_transit\u2069" in html and "registered، in_transit" not in html
    transport = client.get(reverse("declarations:transport-documents-import")).content.decode()
    assert "\u2066serial,number,issued_on,origin,destination" in transport
    # what the guide shows is what a file may hold: a row typed that way imports
    rows = [",".join(COLUMNS)]
    values = {"serial": "1404-FA-0001", "declared_at": "۱۴۰۴/۰۵/۱۲ ۱۴:۳۰", "origin": "BZG", "destination": "THR",
              "plate": "۱۲ ع ۳۴۵ - ایران ۶۷", "hs_code": "84181000", "description": "یخچال", "quantity": "۱۰"}  # fmt: skip
    rows.append(",".join(values.get(c, "") for c in COLUMNS))
    result = _import(client, "fa.csv", "\n".join(rows).encode())
    assert result.status_code == 200
    declaration = TransitDeclaration.objects.get(serial="1404-FA-0001")
    assert declaration.vehicle.plate == "12ع34567"


def test_a_goods_line_without_its_quantity_is_refused_naming_the_column(client, hq, bazargan, tehran):
    client.force_login(hq)
    html = client.get(reverse("declarations:import")).content.decode()
    assert re.search(r'data-column="quantity"><td><code dir="ltr">quantity</code></td><td>yes<', html)
    values = {"serial": "1404-NQ-0001", "declared_at": "1404/05/12 14:30", "origin": "BZG", "destination": "THR",
              "plate": "12ع34567", "hs_code": "84181000", "description": "fridge"}  # fmt: skip
    body = "\n".join([",".join(COLUMNS), ",".join(values.get(c, "") for c in COLUMNS)]).encode()
    page = _import(client, "nq.csv", body).content.decode()
    assert re.search(
        r'<tr data-row="2"><td>2</td><td><bdi[^>]*>1404-NQ-0001</bdi></td><td data-field="quantity">quantity</td>'
        r"<td>is required<",
        page,
    )
    assert not TransitDeclaration.objects.filter(serial="1404-NQ-0001").exists()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_office_clerks_template_starts_at_their_own_office_and_imports_once_its_serial_is_real(
    client, origin_clerk, tehran, west_az, fmt
):
    """Offices sorted before the clerk's own (AMR, ANZ) made the example AMR → ANZ: «outside your scope»."""
    OfficeFactory(code="AMR", name_fa="گمرک آمره", name_en="Amreh", province=west_az)
    OfficeFactory(code="ANZ", name_fa="گمرک انزلی", name_en="Anzali", province=west_az)
    client.force_login(origin_clerk)
    template = client.get(reverse("declarations:import-template", args=[fmt])).content
    result = _import(client, f"template.{fmt}", _filled(template, fmt)).content.decode()
    assert 'data-count="created">1<' in result and 'data-count="rejected">0<' in result, result
    declaration = TransitDeclaration.objects.get(serial="1404-BZG-0001")
    assert declaration.origin.code == "BZG" and declaration.destination.code != "BZG"
