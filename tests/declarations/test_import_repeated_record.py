"""A record sent twice in one import batch was merged with itself into one declaration with its goods lines
twice (total 2 for 3 records, the copy refused as a «duplicate goods line»): it is counted, reported on its
own row as a serial repeated in the batch with the rows of both, and the first is kept."""

import pytest
from rest_framework.test import APIClient

from declarations.models import ImportBatch, TransitDeclaration

pytestmark = pytest.mark.django_db

RECORD = {
    "serial": "T140499990001",
    "declared_at": "1404/05/01 10:00",
    "origin": "BZG",
    "destination": "THR",
    "plate": "۱۲ ع ۳۴۵ ایران ۶۷",
    "waybill_no": "WB-API-1",
    "goods": [{"hs_code": "851713", "description": "گوشی", "quantity": "10", "unit": "عدد", "gross_weight_kg": "5"}],
}


def _import(user, records):
    api = APIClient()
    api.force_authenticate(user)
    response = api.post("/api/declarations/import/", {"records": records}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def test_a_record_sent_twice_is_counted_reported_with_both_rows_and_the_first_kept(origin_clerk, bazargan, tehran):
    body = _import(origin_clerk, [RECORD, RECORD, {"serial": ""}])
    assert body["created"] == 1 and body["total"] == 3, body
    by_row = {e["row"]: e for e in body["rejected"]}
    assert set(by_row) == {2, 3}
    repeated = by_row[2]
    assert repeated["field"] == "serial"
    assert "repeated in this batch (rows 1 and 2)" in repeated["message"] and "the first is kept" in repeated["message"]
    assert "duplicate goods line" not in repeated["message"]
    stored = TransitDeclaration.objects.get(serial="T140499990001")
    assert stored.goods.count() == 1
    assert ImportBatch.objects.get(pk=body["batch"]).total == 3


def test_a_second_record_with_the_same_serial_and_other_content_names_both_rows(origin_clerk, bazargan, tehran):
    other = {**RECORD, "waybill_no": "WB-API-2"}
    body = _import(origin_clerk, [RECORD, other])
    assert body["created"] == 1 and body["total"] == 2
    [error] = body["rejected"]
    assert error["row"] == 2 and "with different content (rows 1 and 2)" in error["message"]
    assert TransitDeclaration.objects.get(serial="T140499990001").waybill_no == "WB-API-1"


@pytest.mark.persian
def test_the_repeat_is_told_in_persian(origin_clerk, bazargan, tehran):
    body = _import(origin_clerk, [RECORD, RECORD])
    [error] = body["rejected"]
    assert "در این دسته تکرار شده است (ردیف‌های ۱ و ۲)" in error["message"]
