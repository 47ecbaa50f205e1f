"""A bad goods line of a record with several is named: the error carries ``"line": 2`` (1-based, its place
in the record) and its message opens «ردیف کالای ۲» / "goods line 2", for an API record (goods nested) and a
file (one row per goods line) alike. Its row is where the line is: the record's index for an API record, the
file line of the goods line for a file (header = 1), not the declaration's first row. A record with one goods
line is reported as before, with no line."""

import pytest
from django.utils import translation

from declarations.importer import import_file, import_records, import_rows
from tests.declarations.test_importer import row, to_csv

GOODS = ("goods_line", "hs_code", "description", "quantity", "unit", "gross_weight_kg", "value", "goods_serials")


def _record(goods):
    flat = {k: v for k, v in row(route="BZG|THR").items() if k not in GOODS}
    return {**flat, "goods": goods}


def _line(n, **kw):
    line = {"hs_code": "8517.13", "description": "گوشی", "quantity": "1", "goods_serials": []}
    return line | kw


@pytest.mark.parametrize(("language", "named"), [("fa", "ردیف کالای ۲"), ("en", "goods line 2")])
def test_the_api_names_the_bad_goods_line(bazargan, tehran, db, language, named):
    with translation.override(language):
        summary = import_records([_record([_line(1), _line(2, hs_code="ABC"), _line(3)])])
    report = summary.as_dict()["rejected"]
    assert [(e["row"], e["field"], e["line"]) for e in report] == [(1, "hs_code", 2)], report
    assert report[0]["message"].startswith(named), report


def test_the_file_names_the_bad_goods_line_too(bazargan, tehran, db):
    rows = [
        (2, row(goods_line="1", route="BZG|THR")),
        (3, row(goods_line="2", route="BZG|THR", hs_code="ABC", goods_serials="")),
    ]
    rows[0][1]["goods_serials"] = ""
    with translation.override("en"):
        summary = import_rows(rows, source_ref="file")
    report = summary.as_dict()["rejected"]
    assert [(e["row"], e["field"], e["line"]) for e in report] == [(3, "hs_code", 2)], report
    assert report[0]["message"].startswith("goods line 2"), report
    assert summary.rejected_rows == 1  # one declaration refused, though its errors sit on two file lines


def test_a_csv_names_the_file_line_of_the_bad_goods_line(bazargan, tehran, db):
    """The outside walk: file line 2 a good goods line 1, file line 3 goods line 2 with «x1» as HS code."""
    first = row(goods_line="1", route="BZG|THR", goods_serials="")
    second = row(goods_line="2", route="BZG|THR", hs_code="x1", goods_serials="")
    with translation.override("fa"):
        summary = import_file(to_csv([first, second]), "file.csv")
    report = summary.as_dict()["rejected"]
    assert [(e["row"], e["field"], e["line"]) for e in report] == [(3, "hs_code", 2)], report
    assert report[0]["message"].startswith("ردیف کالای ۲") and "x1" in report[0]["message"], report


def test_a_single_goods_line_is_reported_as_before(bazargan, tehran, db):
    summary = import_records([_record([_line(1, hs_code="ABC")])])
    report = summary.as_dict()["rejected"]
    assert [(e["row"], e["field"]) for e in report] == [(1, "hs_code")] and "line" not in report[0], report
