"""The API's Persian error summary (``error.message``) began with English field names and counted list positions
from 0: «goods: این مقدار لازم است.», «origin: کد گمرک «ZZZ» شناخته نیست», «page_size: باید از ۱ تا ۲۰۰ باشد»,
«seal_numbers_found.1: عنصر ۱ («B») تکرار عنصر ۰ است» (the page says «موارد ۱ و ۲»), and a bad choice listed
English codes with the value in Latin quotes. The summary names each field by its label and each position from
1; ``error.fields`` keeps the names and indexes a client finds them by."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from declarations import services
from tests.declarations.test_register import _api_body

pytestmark = [pytest.mark.django_db, pytest.mark.persian]


@pytest.fixture
def api(origin_clerk):
    client = APIClient()
    client.force_authenticate(origin_clerk)
    return client


def _error(response) -> dict:
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    error["message"] = re.sub("[\u2066-\u2069]", "", error["message"])  # without the isolates
    return error


def test_a_missing_field_is_named_by_its_label(api, bazargan, tehran):
    body = _api_body()
    del body["goods"]
    error = _error(api.post("/api/declarations/", body, format="json"))
    assert error["message"] == "اقلام کالا: این مقدار لازم است."
    assert error["fields"] == {"goods": ["این مقدار لازم است."]}


def test_an_unknown_office_is_named_by_its_label(api, bazargan, tehran):
    error = _error(api.post("/api/declarations/", _api_body(origin="ZZZ"), format="json"))
    assert error["message"] == "مبدأ: کد گمرک «ZZZ» شناخته نیست"
    assert list(error["fields"]) == ["origin"]


def test_a_goods_lines_field_is_named_with_its_line_counted_from_one(api, bazargan, tehran):
    goods = [{"hs_code": "870323", "description": "cars", "quantity": "2"}, {"hs_code": "870323", "quantity": "2"}]
    error = _error(api.post("/api/declarations/", _api_body(goods=goods), format="json"))
    assert error["message"] == "اقلام کالا، مورد ۲، شرح: این مقدار لازم است."
    assert error["fields"]["goods"][1] == {"description": ["این مقدار لازم است."]}


def test_a_bad_page_size_is_named_in_words(api, bazargan):
    error = _error(api.get("/api/declarations/?page_size=-1"))
    assert error["message"] == "اندازه صفحه: باید از ۱ تا ۲۰۰ باشد"
    assert list(error["fields"]) == ["page_size"]


def test_a_repeated_seal_counts_its_elements_from_one(api, dest_clerk, origin_clerk, declaration):
    services.declaration_depart(declaration=declaration, by=origin_clerk)
    api.force_authenticate(dest_clerk)
    url = f"/api/declarations/{declaration.pk}/confirm-arrival/"
    error = _error(api.post(url, {"seal_numbers_found": ["A", "B", "B"]}, format="json"))
    assert error["message"] == "شماره پلمپ‌های مشاهده‌شده، مورد ۳: عنصر ۳ («B») تکرار عنصر ۲ است"
    assert list(error["fields"]["seal_numbers_found"]) == ["2"]  # the index, as a client reads its list


def test_a_bad_choice_quotes_the_value_in_guillemets_and_names_the_choices(api, dest_clerk, origin_clerk, declaration):
    services.declaration_depart(declaration=declaration, by=origin_clerk, at=timezone.now() - dt.timedelta(hours=5))
    services.declaration_confirm_arrival(declaration=declaration, by=dest_clerk)
    api.force_authenticate(dest_clerk)
    error = _error(api.post(f"/api/declarations/{declaration.pk}/record-reason/", {"reason": "nope"}, format="json"))
    assert error["message"].startswith("علت: «nope» یک انتخاب معتبر نیست؛ یکی از ")
    assert "بیجک تکراری (duplicate_waybill)" in error["message"]
    assert '"nope"' not in error["message"]
    assert list(error["fields"]) == ["reason"]


def test_several_errors_are_joined_with_the_persian_semicolon(api, bazargan, tehran):
    """They were joined with the Latin «; », which reads as a stray mark between Persian sentences."""
    body = _api_body(origin="ZZZ")
    del body["goods"]
    error = _error(api.post("/api/declarations/", body, format="json"))
    assert "؛ " in error["message"] and "; " not in error["message"]
    assert ".؛" not in error["message"]  # a full stop before the semicolon read «…لازم است.؛ تاریخ …» (2026-12-07)
    assert sorted(part.rstrip(".") for part in error["message"].split("؛ ")) == [
        "اقلام کالا: این مقدار لازم است",
        "مبدأ: کد گمرک «ZZZ» شناخته نیست",
    ]


def test_no_full_stop_stands_before_the_semicolon(api, bazargan, tehran):
    """«شماره اظهارنامه: این مقدار لازم است.؛ تاریخ اظهار: …» (a walk, 2026-12-07)."""
    body = _api_body(declared_at="1405/13/45")
    del body["serial"]
    error = _error(api.post("/api/declarations/", body, format="json"))
    assert error["message"].count("؛ ") >= 1 and ".؛" not in error["message"], error["message"]


def test_in_english_several_errors_are_still_joined_with_a_semicolon(api, bazargan, tehran):
    body = _api_body(origin="ZZZ")
    del body["goods"]
    error = _error(api.post("/api/declarations/", body, format="json", HTTP_ACCEPT_LANGUAGE="en"))
    assert "; " in error["message"] and "؛" not in error["message"]
