"""The API's refusals of a value past a field's limit give the limit as the reader writes numbers, as the
pages' forms do: «…بیشتر از ۵۰۰ نیست.» in Persian, not DRF's «…بیشتر از 500 نیست.»."""

import pytest
from rest_framework.test import APIClient


def _cancel(user, declaration, reason):
    api = APIClient()
    api.force_authenticate(user)
    return api.post(f"/api/declarations/{declaration.pk}/cancel/", {"reason": reason}, format="json")


@pytest.mark.persian
def test_a_text_too_long_is_refused_with_its_limit_in_persian_digits(origin_clerk, declaration):
    response = _cancel(origin_clerk, declaration, "x" * 501)
    assert response.status_code == 400
    error = response.json()["error"]
    (message,) = error["fields"]["reason"]
    assert "۵۰۰" in message and "500" not in message
    assert error["message"] == f"علت: {message}"


@pytest.mark.persian
def test_an_item_of_a_list_too_long_is_refused_with_its_limit_in_persian_digits(dest_clerk, declaration):
    api = APIClient()
    api.force_authenticate(dest_clerk)
    body = {"seal_numbers_found": ["S1", "S" * 41]}
    response = api.post(f"/api/declarations/{declaration.pk}/confirm-arrival/", body, format="json")
    assert response.status_code == 400
    (message,) = response.json()["error"]["fields"]["seal_numbers_found"]["1"]
    assert "۴۰" in message and "40" not in message


def test_english_keeps_latin_digits(origin_clerk, declaration):
    response = _cancel(origin_clerk, declaration, "x" * 501)
    assert response.json()["error"]["fields"] == {"reason": ["Ensure this field has no more than 500 characters."]}
