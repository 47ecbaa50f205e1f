"""GET /api/declarations/?q=606 found nothing and said nothing (count 0), where the list page says a serial's end
needs four characters. The answer now carries a ``hint`` beside ``count``, in the request's language, only when
a search of one to three letters or digits finds nothing; the page object keeps its keys otherwise, and the
schema documents ``hint`` as optional."""

import pytest
from rest_framework.test import APIClient

from tests.factories import DeclarationFactory

pytestmark = pytest.mark.django_db

URL = "/api/declarations/"


@pytest.fixture
def api(hq):
    client = APIClient()
    client.force_authenticate(hq)
    return client


def test_a_short_search_that_finds_nothing_says_why_in_the_requests_language(api):
    body = api.get(URL, {"q": "606"}, HTTP_ACCEPT_LANGUAGE="fa").json()
    assert body["count"] == 0 and body["results"] == []
    assert body["hint"] == "پایان سریال: دست‌کم ۴ نویسه."
    body = api.get(URL, {"q": "۶۰۶"}, HTTP_ACCEPT_LANGUAGE="en").json()
    assert body["hint"] == "Serial end: at least 4 characters."


def test_no_hint_for_a_long_enough_search_or_one_that_finds_rows(api, bazargan, tehran):
    body = api.get(URL, {"q": "98606"}).json()
    assert body["count"] == 0 and "hint" not in body
    assert "hint" not in api.get(URL).json()
    declaration = DeclarationFactory(origin=bazargan, destination=tehran)
    found = api.get(URL, {"q": declaration.serial[:3]}).json()
    assert found["count"] >= 1 and "hint" not in found


def test_the_schema_documents_the_hint_as_optional():
    from drf_spectacular.generators import SchemaGenerator

    page = SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]["DeclarationPage"]
    assert page["properties"]["hint"]["type"] == "string"
    assert "hint" not in page.get("required", []) and "count" in page["required"]
