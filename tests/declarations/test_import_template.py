"""The import page lists its columns and gives a template whose example row imports as it stands."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from declarations.importer import COLUMNS
from declarations.models import TransitDeclaration


def _import(client, name, body):
    return client.post(reverse("declarations:import"), {"file": SimpleUploadedFile(name, body)})


def test_the_page_describes_every_column_and_links_both_templates(client, hq, bazargan, tehran):
    client.force_login(hq)
    html = client.get(reverse("declarations:import")).content.decode()
    for column in COLUMNS:
        assert f'data-column="{column}"' in html
    assert reverse("declarations:import-template", args=["xlsx"]) in html
    assert reverse("declarations:import-template", args=["csv"]) in html


def test_the_xlsx_template_imports_its_example_row(client, hq, bazargan, tehran):
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
    result = _import(client, "template.xlsx", response.content)
    assert result.status_code == 200
    assert 'data-count="created">1<' in result.content.decode()
    assert TransitDeclaration.objects.filter(serial="1404-EXAMPLE-0001").exists()


def test_the_csv_template_imports_its_example_row(client, hq, bazargan, tehran):
    client.force_login(hq)
    response = client.get(reverse("declarations:import-template", args=["csv"]))
    assert response.content.startswith(b"\xef\xbb\xbf")  # Excel opens it as UTF-8
    result = _import(client, "template.csv", response.content)
    assert 'data-count="rejected">0<' in result.content.decode()
    assert TransitDeclaration.objects.filter(serial="1404-EXAMPLE-0001").count() == 1


def test_only_those_who_import_get_the_template_and_only_in_two_formats(client, hq, inspector):
    client.force_login(inspector)
    assert client.get(reverse("declarations:import-template", args=["csv"])).status_code == 403
    client.force_login(hq)
    assert client.get(reverse("declarations:import-template", args=["pdf"])).status_code == 404
