"""A list value given twice was stored twice (seals «  S-1 » and «S-1», a container), a route BZG, THR, BZG as
a loop, and a number inside the seals became text: each is refused naming the field and the element, by the
API, and the same rules hold in the import's rows."""

import pytest
from rest_framework.test import APIClient

from declarations.importer import import_rows
from declarations.models import TransitDeclaration
from tests.declarations.test_importer import row
from tests.declarations.test_register_backdate import _body

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(origin_clerk):
    client = APIClient()
    client.force_authenticate(origin_clerk)
    return client


@pytest.mark.parametrize(
    ("field", "value", "index"),
    [
        ("seals", ["  S-1 ", "S-1"], "1"),
        ("seals", ["S-1", "S-۱"], "1"),
        ("containers", ["MSKU1234565", "msku 1234565"], "1"),
        ("route", ["BZG", "THR", "BZG"], "2"),
        ("seals", ["S-1", 7], "1"),
        ("containers", [12345], "0"),
    ],
)
def test_the_api_refuses_a_repeated_or_non_text_element_under_its_index(api, bazargan, tehran, field, value, index):
    response = api.post("/api/declarations/", _body(**{field: value}), format="json")
    assert response.status_code == 400, response.json()
    fields = response.json()["error"]["fields"]
    assert list(fields) == [field] and list(fields[field]) == [index], fields
    assert f"element {int(index) + 1}" in fields[field][index][0]  # counted from 1, as a person counts
    assert not TransitDeclaration.objects.exists()


def test_the_api_refuses_a_route_that_loops_back_once_origin_and_destination_are_added(api, bazargan, tehran):
    response = api.post("/api/declarations/", _body(route=["THR", "BZG"]), format="json")
    assert response.status_code == 400, response.json()
    assert "passes an office twice" in response.json()["error"]["fields"]["route"][0]


def test_distinct_values_are_still_taken(api, bazargan, tehran):
    body = _body(seals=["S-1", "S-2"], containers=["MSKU1234565"], route=["BZG", "THR"])
    assert api.post("/api/declarations/", body, format="json").status_code == 201
    d = TransitDeclaration.objects.get()
    assert d.seal_numbers == ["S-1", "S-2"] and d.route == ["BZG", "THR"]


def test_the_import_refuses_the_same_naming_row_column_and_items(bazargan, tehran):
    rows = [
        (2, row(serial="T-SEAL-1", route="", seals=" S-1 |S-1")),
        (3, row(serial="T-CONT-1", route="", containers="MSKU1234565;MSKU 1234565")),
        (4, row(serial="T-LOOP-1", route="BZG|THR|BZG")),
        (5, row(serial="T-FINE-1", route="BZG|THR", seals="S-1|S-2")),
    ]
    summary = import_rows(rows, source_ref="test")
    assert [(e.row, e.field) for e in summary.rejected] == [(2, "seals"), (3, "containers"), (4, "route")]
    assert all("items 1 and 2" in e.message for e in summary.rejected[:2])
    assert "items 1 and 3" in summary.rejected[2].message
    assert list(TransitDeclaration.objects.values_list("serial", flat=True)) == ["T-FINE-1"]
