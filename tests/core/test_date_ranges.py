"""Every range filter (the declaration list's declared dates, page, exports and API; the audit trail's dates; the
plate-reader reports' and the plate search's period) refuses a range that ends before it starts: 400, the error
beside its end, nothing listed and no file, never an empty list as though nothing had happened in it. A range
of days counts both days: the same day twice is that one day."""

import datetime as dt
import re

import pytest
from auditlog.models import LogEntry
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from core.dates import TEHRAN, format_jalali
from declarations import services
from tests.factories import DeclarationFactory

pytestmark = pytest.mark.django_db
LIST = reverse("declarations:list")
BACKWARDS = "The end of the period is before its start."
REPORT = "/anpr/reports/anpr-reads-per-office-day/"


def _day(days_ago: int) -> str:
    return format_jalali(timezone.now() - dt.timedelta(days=days_ago), with_time=False, persian=False)


def _error_beside(html: str, name: str) -> str:
    """The error shown in the filter's own box, under its field."""
    box = html.split(f'name="{name}"', 1)[1].split("</div>", 2)
    return box[0] + box[1]


@pytest.fixture
def declared(bazargan, tehran):
    """A declaration made two days ago (at noon, Tehran time, so the Tehran day is plain)."""
    cache.clear()
    day = (timezone.now() - dt.timedelta(days=2)).astimezone(TEHRAN).date()
    return DeclarationFactory(
        origin=bazargan, destination=tehran, declared_at=dt.datetime.combine(day, dt.time(12), tzinfo=TEHRAN)
    )


# --- the declaration list: page, exports, API ---


def test_the_list_refuses_declared_dates_backwards_beside_date_to(client, hq, declared):
    client.force_login(hq)
    response = client.get(LIST, {"date_from": _day(0), "date_to": _day(5)})
    html = response.content.decode()
    assert response.status_code == 400
    assert BACKWARDS in _error_beside(html, "date_to")
    assert declared.serial not in html and "data-serial=" not in html


@pytest.mark.parametrize("export", ["declarations:export-csv", "declarations:export-xlsx"])
def test_an_export_asked_with_dates_backwards_is_the_list_page_with_the_error(client, hq, declared, export):
    client.force_login(hq)
    response = client.get(reverse(export), {"date_from": _day(0), "date_to": _day(5)})
    html = response.content.decode()
    assert response.status_code == 400 and response["Content-Type"].startswith("text/html")
    assert BACKWARDS in _error_beside(html, "date_to") and declared.serial not in html


def test_the_api_refuses_declared_dates_backwards_naming_date_to(hq, declared):
    api = APIClient()
    api.force_authenticate(hq)
    response = api.get("/api/declarations/", {"date_from": _day(0), "date_to": _day(5)})
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["fields"] == {"date_to": [BACKWARDS]} and declared.serial not in response.content.decode()


def test_the_same_day_twice_lists_that_days_declarations(client, hq, declared, bazargan, tehran):
    DeclarationFactory(origin=bazargan, destination=tehran, declared_at=declared.declared_at - dt.timedelta(days=1))
    DeclarationFactory(origin=bazargan, destination=tehran, declared_at=declared.declared_at + dt.timedelta(days=1))
    query = {"date_from": _day(2), "date_to": _day(2)}
    client.force_login(hq)
    response = client.get(LIST, query)
    assert response.status_code == 200
    assert re.findall(r'data-serial="([^"]+)"', response.content.decode()) == [declared.serial]
    api = APIClient()
    api.force_authenticate(hq)
    assert [row["serial"] for row in api.get("/api/declarations/", query).json()["results"]] == [declared.serial]


def test_the_schema_says_date_to_before_date_from_is_refused():
    from drf_spectacular.generators import SchemaGenerator

    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    params = {p["name"]: p for p in paths["/api/declarations/"]["get"]["parameters"]}
    assert "before it, a 400 naming date_to" in params["date_to"]["description"]


@pytest.mark.persian
def test_the_refusal_reads_in_persian(client, hq, declared):
    client.force_login(hq)
    html = client.get(LIST, {"date_from": _day(0), "date_to": _day(5)}).content.decode()
    assert "پایان بازه زمانی پیش از آغاز آن است." in _error_beside(html, "date_to")


# --- the audit trail ---


def test_the_audit_trail_refuses_dates_backwards_beside_date_to(client, hq, declaration, origin_clerk):
    services.declaration_depart(declaration=declaration, by=origin_clerk)
    client.force_login(hq)
    response = client.get(reverse("reports:audit"), {"date_from": _day(0), "date_to": _day(1)})
    html = response.content.decode()
    assert response.status_code == 400
    assert BACKWARDS in _error_beside(html, "date_to") and "data-entry=" not in html


def test_the_audit_trail_on_the_same_day_twice_shows_that_days_entries(client, hq, declaration, origin_clerk):
    services.declaration_depart(declaration=declaration, by=origin_clerk)  # recorded today (Tehran)
    assert LogEntry.objects.exists()
    client.force_login(hq)
    html = client.get(reverse("reports:audit"), {"date_from": _day(0), "date_to": _day(0)}).content.decode()
    assert "data-entry=" in html
    html = client.get(reverse("reports:audit"), {"date_from": _day(1), "date_to": _day(1)}).content.decode()
    assert "data-entry=" not in html


# --- the plate-reader reports and the plate search ---


@pytest.mark.parametrize(("url", "query"), [(REPORT, {}), ("/anpr/plates/", {"q": "12ب34567"})])
def test_a_period_backwards_is_refused_beside_to(client, hq, url, query):
    client.force_login(hq)
    response = client.get(url, {**query, "from": _day(0), "to": _day(3)})
    assert response.status_code == 400
    assert BACKWARDS in _error_beside(response.content.decode(), "to")
    same_day = client.get(url, {**query, "from": _day(3), "to": _day(3)})
    assert same_day.status_code == 200
