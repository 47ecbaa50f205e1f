"""Fuzzed input gets a 4xx with a message, never a 500 (security probe, finding 13).

Non-numeric ids on the API's routes are 404s; a NUL byte (which PostgreSQL refuses in text) in
the path, the query string or a form field is a 400 naming the field, on pages and API alike.
"""

import pytest
from django.test import Client

from reports.models import SystemProblem

NON_NUMERIC_IDS = [
    ("get", "/api/declarations/abc/"),
    ("get", "/api/declarations/null/"),
    ("post", "/api/declarations/abc/depart/"),
    ("post", "/api/declarations/null/confirm-arrival/"),
    ("post", "/api/declarations/1e3/settle/"),
    ("post", "/api/declarations/-1/record-reason/"),
    ("get", "/api/vehicles/abc/"),
    ("get", "/api/vehicles/abc/declarations/"),
]

NUL_IN_QUERY = [
    ("/declarations/", "q"),
    ("/declarations/", "office"),
    ("/declarations/", "province"),
    ("/declarations/", "company"),
    ("/declarations/export.csv", "q"),
    ("/declarations/export.xlsx", "origin"),
    ("/declarations/vehicles/", "plate"),
    ("/anpr/plates/", "q"),
    ("/anpr/reports/anpr-plate-history/", "from"),
    ("/reports/", "province"),
    ("/reports/trend/", "province"),
    ("/reports/problems/", "status"),
    ("/casework/letters/", "status"),
    ("/casework/cases/", "status"),
    ("/api/declarations/", "q"),
    ("/api/declarations/", "after"),
    ("/api/vehicles/", "plate"),
    ("/api/reports/trend/", "province"),
    ("/api/anpr/reads/search/", "office"),
    ("/api/anpr/reads/search/", "plate"),
    ("/api/scans/", "declaration"),
]


@pytest.fixture
def browser(hq):
    """HQ sees the whole country: every query reaches the database."""
    client = Client(raise_request_exception=False)
    client.force_login(hq)
    return client


@pytest.mark.parametrize(("method", "url"), NON_NUMERIC_IDS)
def test_a_non_numeric_id_on_the_api_is_a_404_with_a_message(browser, method, url):
    response = getattr(browser, method)(url, {}, content_type="application/json")

    assert response.status_code == 404, url
    assert response.json()["error"]["message"]


@pytest.mark.parametrize(("url", "param"), NUL_IN_QUERY)
def test_a_nul_byte_in_the_query_string_is_a_400_naming_the_parameter(browser, url, param):
    response = browser.get(f"{url}?{param}=ab%00cd")

    assert response.status_code == 400, url
    if url.startswith("/api/"):
        message = response.json()["error"]["message"]
        assert response.json()["error"]["fields"] == {param: [message]}  # it was {}: the message alone named it
    else:
        message = response.content.decode()
        assert 'class="navbar-brand"' in message  # the app's layout
    assert f"“{param}”" in message


def test_a_nul_byte_in_the_path_is_a_400(browser):
    assert browser.get("/api/offices/%00/").status_code == 400


def test_a_nul_byte_in_a_form_field_is_a_400_and_nothing_is_written(it_officer, bazargan):
    from django.utils import timezone

    problem = SystemProblem.objects.create(
        system="ics", symptom="slow", office=bazargan, since=timezone.now(), description="x", reported_by=it_officer
    )
    client = Client(raise_request_exception=False)
    client.force_login(it_officer)

    response = client.post(f"/reports/problems/{problem.pk}/", {"action": "resolve", "resolution": "done\x00"})

    assert response.status_code == 400
    assert "“resolution”" in response.content.decode()
    problem.refresh_from_db()
    assert problem.status != "resolved"


def test_a_nul_free_request_still_works(browser, declaration):
    assert browser.get("/declarations/?q=1404").status_code == 200
    assert browser.get(f"/api/declarations/{declaration.pk}/").status_code == 200


@pytest.mark.persian
@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b'{"reason": ', "سطر ۱، ستون ۱۲"),
        (b"{bad", "سطر ۱، ستون ۲"),
        ('{"reason": "é"}'.encode("latin-1"), "UTF-8"),
        (b"null", "null"),
    ],
)
def test_a_body_that_is_no_json_object_is_a_400_in_the_requests_language(browser, declaration, body, words):
    """DRF answered "JSON parse error - Expecting value: line 1 column 12 (char 11)" and, for a JSON
    null, "No data provided": English whatever the request's language."""
    response = browser.post(f"/api/declarations/{declaration.pk}/cancel/", body, content_type="application/json")

    assert response.status_code == 400
    message = response.json()["error"]["message"]
    assert "بدنهٔ درخواست" in message and words in message, message


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"reason": "ab\x00cd"}, "reason"),
        ({"goods": [{"description": "\ud800"}]}, "goods[0].description"),
        ({"a\x00b": 1}, "a?b"),
    ],
)
def test_unstorable_text_in_a_json_body_is_a_400_naming_where_it_is(browser, declaration, body, field):
    """The message said where; ``fields`` was empty, so a client could not put the error beside its field."""
    response = browser.post(f"/api/declarations/{declaration.pk}/cancel/", body, content_type="application/json")

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["fields"] == {field: [error["message"]]}


@pytest.mark.persian
def test_a_form_with_too_many_fields_says_so_and_to_send_json(browser, declaration, settings):
    """Over DATA_UPLOAD_MAX_NUMBER_FIELDS (a schema-valid list of serials, sent as a form) the answer
    was only «درخواست نادرست است.» (the request is malformed), naming no cause."""
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    values = "&".join(f"values=S{i}" for i in range(20))
    response = browser.post(
        f"/api/declarations/{declaration.pk}/arrival-serials/", values, content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 400
    assert "۱۰" in response.json()["error"]["message"] and "JSON" in response.json()["error"]["message"]


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("post", "/api/declarations/{pk}/depart/", {"at": "9999-12-31T00:00:00Z"}, None),
        ("post", "/api/permits/", {"issued_at": "0100-01-01T10:00:00Z"}, "issued_at"),
    ],
)
def test_a_time_outside_the_jalali_calendar_is_refused_not_a_500(browser, declaration, method, path, body, field):
    """The refusal quoted the time in Jalali, which jdatetime cannot write for it: a 500 (fuzzing)."""
    if field == "issued_at":
        from declarations.models import TransitDeclaration

        TransitDeclaration.objects.filter(pk=declaration.pk).update(
            vehicle_country="TR"
        )  # a permit needs a foreign truck
        body = {**body, "declaration": declaration.pk, "permit_no": "P1", "entry_office": "BZG"}
        body |= {"exit_office": "THR", "allowed_hours": 10}
    response = getattr(browser, method)(path.format(pk=declaration.pk), body, content_type="application/json")

    assert 400 <= response.status_code < 500, response.content
    if field:
        assert field in response.json()["error"]["fields"]
