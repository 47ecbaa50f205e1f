"""An import refuses a declaration without goods, as registration does: ``"goods": []`` from ICS, or file rows
with no goods columns, were stored as declarations carrying nothing. The refusal is one more error of the row,
listed with its others."""

import pytest
from rest_framework.test import APIClient

from declarations.importer import import_file, import_records
from declarations.models import TransitDeclaration
from tests.declarations.test_importer import row, to_csv

NO_GOODS = {"goods_line": "", "hs_code": "", "description": "", "quantity": "", "unit": "", "goods_serials": ""}


def _record(serial: str, **kw) -> dict:
    record = {k: v for k, v in row(serial, **{"route": "", **kw}).items() if k not in NO_GOODS}
    record["goods"] = [{"hs_code": "851713", "description": "گوشی", "quantity": "10"}]
    return record


def test_the_api_import_refuses_a_record_with_an_empty_goods_list(origin_clerk, bazargan, tehran):
    api = APIClient()
    api.force_authenticate(origin_clerk)
    records = [{**_record("W2IMP-61119-B"), "goods": []}, {**_record("W2IMP-61119-C"), "goods": []}]
    records[1].update(declared_at="1405/13/45", plate="ABC")
    body = api.post("/api/declarations/import/", records, format="json").json()
    assert body["created"] == 0, body
    first = [e for e in body["rejected"] if e["row"] == 1]
    assert [e["field"] for e in first] == ["goods"]
    assert first[0]["message"] == "A declaration needs at least one goods line."
    # The row's every error: the date, the plate and the missing goods, not the first two only.
    assert {e["field"] for e in body["rejected"] if e["row"] == 2} == {"declared_at", "plate", "goods"}
    assert not TransitDeclaration.objects.exists()


@pytest.mark.parametrize("goods", [[], None, [{}]])
def test_a_record_without_goods_lines_is_refused(bazargan, tehran, goods):
    summary = import_records([{**_record("T140400000009"), "goods": goods}, _record("T140400000010")])
    assert summary.created == 1
    assert [(e.row, e.field) for e in summary.rejected] == [(1, "goods")]
    assert list(TransitDeclaration.objects.values_list("serial", flat=True)) == ["T140400000010"]


def test_a_file_row_without_goods_columns_is_refused(bazargan, tehran):
    summary = import_file(to_csv([row(**NO_GOODS, route=""), row("T140400000002", route="")]), "export.csv")
    assert summary.created == 1
    assert [(e.row, e.field) for e in summary.rejected] == [(2, "goods")]


def test_a_bad_goods_line_is_named_by_its_columns_not_as_missing_goods(bazargan, tehran):
    summary = import_file(to_csv([row(quantity="-1", route="")]), "export.csv")
    assert [e.field for e in summary.rejected] == ["quantity"]
