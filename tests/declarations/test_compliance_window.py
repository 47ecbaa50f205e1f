"""The declaration list's compliance window (``window_from``/``window_to``) belongs to a scan compliance
figure (``compliance``). Given alone it was ignored (every declaration listed), and a window ending before
it starts listed none, as though none had departed: both are refused beside the field on the page and as
a field error in the API (400), nothing listed."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from core.dates import format_jalali
from declarations.models import Status
from tests.factories import DeclarationFactory

pytestmark = pytest.mark.django_db
LIST = reverse("declarations:list")
ALONE = "A compliance window counts a scan compliance figure: choose the figure under «Scan compliance», or leave the window empty."
BACKWARDS = "The window must end after it starts."


@pytest.fixture
def api():
    return APIClient()


def _at(days_ago: float) -> str:
    return format_jalali(timezone.now() - dt.timedelta(days=days_ago), persian=False)


@pytest.fixture
def departed(bazargan, tehran):
    cache.clear()
    now = timezone.now()
    return DeclarationFactory(
        origin=bazargan,
        destination=tehran,
        status=Status.IN_TRANSIT,
        departed_at=now - dt.timedelta(days=2),
        deadline=now + dt.timedelta(days=3),
    )


def _error_beside(html: str, name: str) -> str:
    """The error shown in the filter's own box, under its field."""
    box = html.split(f'name="{name}"', 1)[1].split("</div>", 2)
    return box[0] + box[1]


CASES = [
    ({"window_from": _at(7)}, "window_from", ALONE),
    ({"window_to": _at(0)}, "window_to", ALONE),
    ({"window_from": _at(7), "window_to": _at(0), "origin": "BZG"}, "window_from", ALONE),
    ({"compliance": "departed", "window_from": _at(0), "window_to": _at(7)}, "window_to", BACKWARDS),
    ({"compliance": "departed", "window_from": _at(1), "window_to": _at(1)}, "window_to", BACKWARDS),
]


@pytest.mark.parametrize(("query", "field", "message"), CASES)
def test_the_page_refuses_the_window_beside_its_field_and_lists_nothing(client, hq, departed, query, field, message):
    client.force_login(hq)
    response = client.get(LIST, query)
    html = response.content.decode()
    assert response.status_code == 400
    assert message in _error_beside(html, field)
    assert departed.serial not in html and "data-serial=" not in html


@pytest.mark.parametrize(("query", "field", "message"), CASES)
def test_the_api_refuses_the_window_naming_the_field(api, hq, departed, query, field, message):
    api.force_authenticate(hq)
    response = api.get("/api/declarations/", query)
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert field in error["fields"] and message in str(error), error


def test_a_window_with_its_figure_lists_what_it_counts(client, api, hq, departed):
    query = {"compliance": "departed", "window_from": _at(7), "window_to": _at(0)}
    client.force_login(hq)
    response = client.get(LIST, query)
    assert response.status_code == 200 and f'data-serial="{departed.serial}"' in response.content.decode()
    api.force_authenticate(hq)
    assert [row["serial"] for row in api.get("/api/declarations/", query).json()["results"]] == [departed.serial]


@pytest.mark.persian
def test_the_refusal_reads_in_persian(client, hq, departed):
    client.force_login(hq)
    html = client.get(LIST, {"window_to": _at(0)}).content.decode()
    assert "بازهٔ رعایت الزام برای شمارش یکی از ارقام رعایت الزام اسکن است" in _error_beside(html, "window_to")
    html = client.get(LIST, {"compliance": "arrived", "window_from": _at(0), "window_to": _at(3)}).content.decode()
    assert "پایان بازه باید پس از آغاز آن باشد." in _error_beside(html, "window_to")


def test_the_schema_says_the_window_is_refused_without_its_figure():
    from drf_spectacular.generators import SchemaGenerator

    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    params = {p["name"]: p for p in paths["/api/declarations/"]["get"]["parameters"]}
    for name in ("window_from", "window_to"):
        assert "not applied" not in params[name]["description"]
        assert f"a 400 naming {name}" in params[name]["description"]
