"""A column the import does not read is named in the batch as a warning, not silently dropped (a misspelt
``destinaton`` was ignored without a word) and not refused (an ICS export that adds a column is still read)."""

import json

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from declarations.importer import import_file
from declarations.models import ImportBatch, TransitDeclaration
from tests.declarations.test_importer import row, to_csv


def _record(serial: str, **extra) -> dict:
    goods = {"hs_code": "851713", "description": "گوشی", "quantity": "10"}
    base = {k: v for k, v in row(serial, route="").items() if k not in ("goods_line", *goods, "goods_serials")}
    return {**base, "goods": [goods], **extra}


def test_the_api_import_warns_of_each_unknown_key_and_imports_the_records(origin_clerk, bazargan, tehran):
    api = APIClient()
    api.force_authenticate(origin_clerk)
    records = [_record("T140400000001", foo=1), _record("T140400000002", foo=2, bar="x")]
    records[1]["goods"][0]["colour"] = "red"
    body = api.post("/api/declarations/import/", records, format="json").json()
    assert body["created"] == 2 and body["rejected"] == []
    assert [(w["row"], w["field"]) for w in body["warnings"]] == [(1, "foo"), (2, "bar"), (2, "colour")]
    assert "ignored" in body["warnings"][0]["message"]
    assert ImportBatch.objects.get().report["warnings"] == body["warnings"]
    assert TransitDeclaration.objects.count() == 2


def test_a_file_with_a_known_layout_has_no_warnings(bazargan, tehran):
    summary = import_file(to_csv([row(route="")]), "export.csv")
    assert summary.created == 1 and summary.warnings == []


def test_the_import_page_lists_the_columns_it_did_not_read(client, bazargan, tehran, origin_clerk, settings):
    client.force_login(origin_clerk)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fa"
    data = json.dumps([_record("T140400000001", destinaton="THR")]).encode()
    client.post(reverse("declarations:import"), {"file": SimpleUploadedFile("export.json", data)})
    page = client.get(reverse("declarations:import-batch", args=[ImportBatch.objects.get().pk])).content.decode()
    table = page.split('id="import-warnings"', 1)[1].split("</table>", 1)[0]
    assert '<td data-field="destinaton"><bdi dir="ltr">destinaton</bdi></td>' in table
    assert "نادیده گرفته شد" in table
