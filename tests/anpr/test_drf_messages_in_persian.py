"""DRF's own messages in a Persian API answer name no code-level word and write numbers in Persian digits: an
unknown office does not leak the slug field's name (``code``), an item that is not an object does not name the
Python type sent (``str``), and a bound in a bulk item's message is in Persian digits as in a single read's."""

import pytest

from tests.anpr.conftest import camera_client

pytestmark = pytest.mark.django_db

FA = {"HTTP_ACCEPT_LANGUAGE": "fa"}


def test_an_unknown_office_of_a_problem_is_named_without_the_field_behind_it(client, origin_clerk):
    client.force_login(origin_clerk)
    body = {
        "system": "ics",
        "symptom": "arrivals_not_visible",
        "office": "XXX",
        "since": "1405/09/01 10:00",
        "description": "اعلام وصول‌ها در سامانه دیده نمی‌شوند",
    }
    response = client.post("/api/reports/problems/", body, content_type="application/json", **FA)
    assert response.status_code == 400
    error = response.json()["error"]
    said = error["fields"]["office"][0]
    assert said == "«XXX» وجود ندارد."
    assert error["message"] == "گمرک: «XXX» وجود ندارد."


def test_a_bulk_item_that_is_not_an_object_is_not_named_by_its_python_type(bzg_camera, recent):
    response = camera_client(bzg_camera).post(
        "/api/anpr/reads/bulk/", {"reads": ["not an object"]}, format="json", **FA
    )
    assert response.status_code == 200
    (error,) = response.json()["errors"]
    said = error["fields"]["non_field_errors"][0]
    assert said == "داده نامعتبر است: یک شیء (فیلدها با نامشان) بفرستید."


def test_a_bulk_item_s_bounds_are_in_persian_digits(bzg_camera, recent):
    items = [
        {"captured_at": recent.isoformat(), "plate": "12ب34567", "confidence": -1},
        {"captured_at": recent.isoformat(), "plate": "12ب34568", "confidence": 150},
    ]
    response = camera_client(bzg_camera).post("/api/anpr/reads/bulk/", {"reads": items}, format="json", **FA)
    low, high = (e["fields"]["confidence"][0] for e in response.json()["errors"])
    assert "۰" in low and "0" not in low
    assert "۱۰۰" in high and "100" not in high
