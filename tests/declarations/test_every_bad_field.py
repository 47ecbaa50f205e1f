"""A record is checked whole: the API and the import name every bad field of it, each under its own name, not the
first one found (a row with seven wrong values was corrected seven times over). The API's 400 gives each field a
list of its messages, whoever refused it; an office outside the importer's scope is named under its column."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.offices_data import ensure_offices
from core.api_schema import _error_components
from declarations.importer import import_file, import_records
from declarations.models import ImportBatch, TransitDeclaration
from tests.declarations.test_importer import row, to_csv
from tests.declarations.test_register import _api_body

REGISTER = "/api/declarations/"
SEVEN_BAD = {
    "declared_at": "1405/13/45",
    "destination": "NOPE",
    "plate": "ABC",
    "driver_national_id": "0013542418",
    "containers": "MSKU1234560",
    "guarantee_amount": "lots",
    "quantity": "-3",
}


@pytest.fixture
def offices(db):
    return ensure_offices()


@pytest.fixture
def api(origin_clerk):
    client = APIClient()
    client.force_authenticate(origin_clerk)
    return client


def _only_message_lists(fields: dict) -> bool:
    return all(isinstance(v, list) and v and all(isinstance(m, str) and m for m in v) for v in fields.values())


def test_the_api_names_every_bad_field_of_a_declaration(api, offices):
    response = api.post(
        REGISTER, _api_body(plate="ABC", plate_country="IR", declared_at="1405/13/45", origin="XXX"), format="json"
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert set(error["fields"]) == {"plate", "declared_at", "origin"}, error
    assert _only_message_lists(error["fields"])
    assert "XXX" in error["fields"]["origin"][0] and "1405/13/45" in error["fields"]["declared_at"][0]
    for name in ("plate: ", "declared at: ", "origin: "):
        assert name in error["message"]
    assert not TransitDeclaration.objects.exists()


def test_each_bad_column_of_a_goods_line_is_named_by_its_path(api, offices):
    goods = [{"hs_code": "x", "description": "cars", "quantity": "0", "value": "much"}]
    error = api.post(REGISTER, _api_body(goods=goods), format="json").json()["error"]
    assert set(error["fields"]["goods"][0]) == {"hs_code", "quantity", "value"}, error
    assert _only_message_lists(error["fields"]["goods"][0])


def test_a_refusal_of_the_service_is_a_list_of_messages_under_its_field(api, offices, origin_clerk):
    """It was ``"serial": "exists"``: a code where every other field has its messages."""
    assert api.post(REGISTER, _api_body(), format="json").status_code == 201
    error = api.post(REGISTER, _api_body(), format="json").json()["error"]
    assert list(error["fields"]) == ["serial"] and error["fields"]["serial"] == [error["message"]]
    assert "already stored" in error["message"]


def test_an_origin_not_the_clerks_own_is_named_under_origin(api, offices):
    response = api.post(REGISTER, _api_body(origin="TBZ"), format="json")
    assert response.status_code == 403
    error = response.json()["error"]
    assert list(error["fields"]) == ["origin"] and error["fields"]["origin"] == [error["message"]]


def test_the_schema_says_each_field_has_a_list_of_messages():
    fields = _error_components()["ErrorDetail"]["properties"]["fields"]
    assert {"type": "array", "items": {"type": "string"}} in fields["additionalProperties"]["anyOf"]
    assert "every field" in fields["description"].lower()


def test_an_import_row_with_seven_bad_fields_names_all_seven(offices):
    summary = import_file(to_csv([row(**SEVEN_BAD, route=""), row(serial="T140400000002", route="")]), "e.csv")
    assert summary.created == 1
    assert {e.row for e in summary.rejected} == {2} and summary.rejected_rows == 1
    assert [e.field for e in summary.rejected] == list(SEVEN_BAD), summary.rejected
    assert ImportBatch.objects.get().rejected == 1


def test_a_json_record_names_every_bad_field_and_goods_column(offices):
    record = {**row(origin="XXX", waybill_no="W" * 300, route=""), "hs_code": "?", "description": ""}
    summary = import_records([record])
    assert {e.field for e in summary.rejected} == {"origin", "waybill_no", "hs_code", "description"}


def test_the_import_page_lists_each_bad_column_and_counts_the_row_once(client, offices, origin_clerk):
    client.force_login(origin_clerk)
    upload = SimpleUploadedFile("export.csv", to_csv([row(**SEVEN_BAD, route="")]))
    client.post(reverse("declarations:import"), {"file": upload})
    page = client.get(reverse("declarations:import-batch", args=[ImportBatch.objects.get().pk])).content.decode()
    assert 'data-count="rejected">1<' in page
    table = page.split('id="rejected-rows"', 1)[1].split("</table>", 1)[0]
    assert table.count('<tr data-row="2">') == 7
    for column in SEVEN_BAD:
        assert f'<td data-field="{column}">' in table


def test_an_office_outside_the_importers_scope_is_named_under_origin(offices, origin_clerk, capsys, tmp_path):
    """It was named under «serial», as if the serial were wrong."""
    outside = row(origin="TBZ", destination="THR", route="")
    summary = import_file(to_csv([outside]), "e.csv", by=origin_clerk)
    [error] = summary.rejected
    assert error.field == "origin" and "outside your scope" in error.message
    f = tmp_path / "e.csv"
    f.write_bytes(to_csv([outside]))
    call_command("import_ics", str(f), user="origin_clerk")
    assert "rejected 1" in capsys.readouterr().out


def test_a_stored_declaration_with_other_content_names_each_differing_column(offices):
    import_file(to_csv([row(route="")]), "a.csv")
    summary = import_file(to_csv([row(destination="SRK", plate="۵۹ د ۱۶۹ ایران ۱۴", route="")]), "b.csv")
    assert [e.field for e in summary.rejected] == ["destination", "plate"]
    assert summary.rejected_rows == 1


def test_a_field_the_api_refuses_itself_is_named_with_the_validators(api, offices):
    """A missing destination was the only field named, and the plate that is none only once it was given."""
    body = _api_body(plate="ABC", plate_country="IR", mrn="nope")
    del body["destination"]
    error = api.post(REGISTER, body, format="json").json()["error"]
    assert list(error["fields"]) == ["destination", "plate", "mrn"], error
    assert error["fields"]["destination"] == ["This field is required."]
    assert _only_message_lists(error["fields"])


def test_a_blank_goods_field_does_not_hide_the_lines_other_bad_fields(api, offices):
    """A blank description was the only error named; the HS code, the quantity and the repeated IMEI were not."""
    imei = "490154203237518"
    goods = [{"hs_code": "12", "description": "", "quantity": "-1", "goods_serials": [imei, imei]}]
    error = api.post(REGISTER, _api_body(goods=goods), format="json").json()["error"]
    line = error["fields"]["goods"][0]
    assert list(line) == ["hs_code", "description", "quantity", "goods_serials"], error
    assert line["description"] == ["This field may not be blank."]
    assert imei in line["goods_serials"][0] and "12" in line["hs_code"][0]
    assert _only_message_lists(line)


def test_the_import_page_lists_the_rejected_rows_in_row_order(client, offices, origin_clerk):
    """Rows refused when they were written (outside the importer's scope) came after the rows refused when
    they were read: row 6 listed after row 8."""
    client.force_login(origin_clerk)
    rows = [row(serial=f"T14040000000{n}", route="") for n in range(2, 9)]
    rows[4] = row(serial="T140400000006", origin="SRK", destination="YZD", route="")  # row 6: not the clerk's
    rows[6] = row(serial="T140400000008", route="", plate="ABC")  # row 8: a plate that is none
    client.post(reverse("declarations:import"), {"file": SimpleUploadedFile("export.csv", to_csv(rows))})
    batch = ImportBatch.objects.get()
    page = client.get(reverse("declarations:import-batch", args=[batch.pk])).content.decode()
    table = page.split('id="rejected-rows"', 1)[1].split("</table>", 1)[0]
    assert re.findall(r'<tr data-row="(\d+)">', table) == ["6", "8"]
    assert [e["row"] for e in batch.report["rejected"]] == [6, 8]  # the API's report too
