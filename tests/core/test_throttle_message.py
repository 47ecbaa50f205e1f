"""A throttled API request (429) says how long to wait in the reader's digits: DRF's own sentence put
Latin digits into the Persian one («…در 49 ثانیه…»). Retry-After keeps the same number for programs."""

import re

import pytest
from rest_framework.test import APIClient

from accounts.models import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
TOKEN_URL = "/api/token/"


@pytest.fixture
def throttled(settings):
    """The token endpoint asked once more than its budget allows, from one address."""
    UserFactory(username="ics", role=Role.INTEGRATION)
    settings.API_TOKEN_THROTTLE = "1/min"
    client = APIClient(REMOTE_ADDR="198.51.100.9")
    client.post(TOKEN_URL, {"username": "ics", "password": "wrong"}, format="json")
    response = client.post(TOKEN_URL, {"username": "ics", "password": "wrong"}, format="json")
    assert response.status_code == 429
    return response


def test_the_wait_is_written_in_latin_digits_in_english(throttled):
    error = throttled.json()["error"]
    wait = throttled["Retry-After"]
    assert error["code"] == "throttled"
    assert error["message"] == f"Request was throttled. Expected available in {wait} seconds."


@pytest.mark.persian
def test_the_wait_is_written_in_persian_digits_in_persian(throttled):
    message = throttled.json()["error"]["message"]
    wait = "".join("۰۱۲۳۴۵۶۷۸۹"[int(d)] for d in throttled["Retry-After"])
    assert message == f"تعداد درخواست‌های شما محدود شده است. انتظار می‌رود در {wait} ثانیه در دسترس باشد."
    assert not re.search("[0-9]", message)
