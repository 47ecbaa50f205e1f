"""A goods serial or IMEI given twice in one declaration (in one goods line, or on two) is refused at
registration, quoted as typed (isolated): beside the goods line's serials on the web form, at the goods
line in the API, on its row in an import. The same serial on two declarations stays a flag, not a refusal."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from accounts.offices_data import ensure_offices
from core.text import strip_isolates
from declarations.importer import import_file, import_records
from declarations.models import GoodsSerial, TransitDeclaration
from tests.declarations.test_importer import row, to_csv
from tests.declarations.test_register import URL, _api_body, _beside, _form

pytestmark = pytest.mark.django_db

IMEI = "490154203237518"
ISOLATED = f"\u2066{IMEI}\u2069"  # as typed, in its own order inside the sentence


def _two_lines(origin, destination, first: str, second: str) -> dict:
    return _form(
        origin,
        destination,
        **{
            "goods-0-goods_serials": first,
            "goods-1-hs_code": "8517.13",
            "goods-1-description": "گوشی",
            "goods-1-quantity": "1",
            "goods-1-goods_serials": second,
        },
    )


def test_the_form_refuses_an_imei_given_twice_in_one_line_beside_its_serials(client, hq, bazargan, tehran):
    client.force_login(hq)
    response = client.post(
        URL, _form(bazargan, tehran, **{"goods-0-goods_serials": f"{IMEI}, 490154203237526, {IMEI}"})
    )
    assert response.status_code == 400
    beside = _beside(response.content.decode(), "goods-0-goods_serials")
    assert "invalid-feedback" in beside and "given twice in this goods line" in beside and ISOLATED in beside
    assert not TransitDeclaration.objects.exists() and not GoodsSerial.objects.exists()


def test_the_form_refuses_an_imei_on_two_lines_beside_the_second(client, hq, bazargan, tehran):
    client.force_login(hq)
    # the second written with dashes: one IMEI all the same
    response = client.post(URL, _two_lines(bazargan, tehran, IMEI, "49-015420-323751-8"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "goods lines 1 and 2" in _beside(html, "goods-1-goods_serials")
    assert "\u206649-015420-323751-8\u2069" in _beside(html, "goods-1-goods_serials")
    assert "goods lines" not in _beside(html, "goods-0-goods_serials")
    assert not TransitDeclaration.objects.exists()


def test_the_api_refuses_it_at_the_goods_line(origin_clerk, bazargan, tehran):
    api = APIClient()
    api.force_authenticate(origin_clerk)
    line = {"hs_code": "851713", "description": "گوشی", "quantity": "2"}
    once = api.post("/api/declarations/", _api_body(goods=[{**line, "goods_serials": [IMEI, IMEI]}]), format="json")
    assert once.status_code == 400
    error = once.json()["error"]
    assert (
        error["message"].startswith("goods items, item 1, goods serials: ")
        and strip_isolates(ISOLATED) in error["message"]
    )
    two = api.post(
        "/api/declarations/",
        _api_body(goods=[{**line, "goods_serials": [IMEI]}, {**line, "goods_serials": ["490154203237526", IMEI]}]),
        format="json",
    )
    assert two.status_code == 400
    error = two.json()["error"]
    assert error["message"].startswith("goods items, item 2, goods serials: "), error
    assert "goods lines 1 and 2" in error["message"] and strip_isolates(ISOLATED) in error["message"]
    assert error["fields"]["goods"][0] == {} and "goods_serials" in error["fields"]["goods"][1]
    assert not TransitDeclaration.objects.exists()


def test_an_import_refuses_the_declaration_on_its_row(db):
    ensure_offices()
    s = import_file(
        to_csv(
            [
                row(serial="T140400000001", goods_serials=f"{IMEI}|{IMEI}"),
                row(serial="T140400000002", waybill_no="WB2", goods_serials=IMEI),
                row(serial="T140400000002", waybill_no="WB2", goods_line="2", goods_serials=f"490154203237526|{IMEI}"),
                row(serial="T140400000003", waybill_no="WB3", goods_serials="490154203237526"),
            ]
        ),
        "repeats.csv",
    )
    assert s.created == 1
    assert {(e.row, e.field) for e in s.rejected} == {(2, "goods_serials"), (3, "goods_serials")}
    messages = sorted(e.message for e in s.rejected)
    assert all(ISOLATED in m for m in messages)
    assert any("goods lines 1 and 2" in m for m in messages)
    assert list(TransitDeclaration.objects.values_list("serial", flat=True)) == ["T140400000003"]


def test_the_same_imei_on_two_declarations_is_still_flagged_not_refused(db):
    ensure_offices()
    line = {"hs_code": "851713", "description": "گوشی", "quantity": "1", "serials": [IMEI]}
    import_records(
        [
            {**row(serial="T140400000001"), "goods": [line]},
            {**row(serial="T140400000002", plate="12ب34511", waybill_no="WB2"), "goods": [line]},
        ]
    )
    assert TransitDeclaration.objects.filter(dup_goods_serial=True).count() == 2
