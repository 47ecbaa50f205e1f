"""A deadline given at registration has an upper limit: bazargan registered BZG→THR (96 hours) with a
deadline 105 days out, and an import took one in 2035; the overdue signal then never fired and the
extension cap was bypassed. By hand: at most the declared time plus the route's allowed time. From the ICS
import: at most the declared time plus twice that (the route's time and one extension)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from core.dates import format_jalali
from declarations.importer import import_rows
from declarations.models import RouteTimeLimit, TransitDeclaration
from tests.declarations.test_importer import row
from tests.declarations.test_register import _beside, _form
from tests.declarations.test_register_backdate import _body

pytestmark = pytest.mark.django_db
DECLARED = (timezone.now() - dt.timedelta(hours=2)).replace(second=0, microsecond=0)


@pytest.fixture
def route(bazargan, tehran):
    return RouteTimeLimit.objects.create(origin=bazargan, destination=tehran, hours=96)


def test_the_api_refuses_a_deadline_past_the_routes_time_naming_the_latest(origin_clerk, route):
    api = APIClient()
    api.force_authenticate(origin_clerk)
    declared = format_jalali(DECLARED, persian=False)
    too_late = format_jalali(DECLARED + dt.timedelta(days=105), persian=False)
    response = api.post("/api/declarations/", _body(declared_at=declared, deadline=too_late), format="json")
    assert response.status_code == 400, response.json()
    message = response.json()["error"]["fields"]["deadline"][0]
    assert too_late in message and format_jalali(DECLARED + dt.timedelta(hours=96), persian=False) in message
    assert "96 hours" in message
    assert not TransitDeclaration.objects.exists()
    in_time = format_jalali(DECLARED + dt.timedelta(hours=96), persian=False)
    response = api.post("/api/declarations/", _body(declared_at=declared, deadline=in_time), format="json")
    assert response.status_code == 201, response.json()
    assert TransitDeclaration.objects.get().deadline == DECLARED + dt.timedelta(hours=96)


@pytest.mark.persian
def test_the_form_says_it_beside_the_deadline_in_persian(client, origin_clerk, bazargan, tehran, route):
    client.force_login(origin_clerk)
    declared = format_jalali(DECLARED)
    too_late = DECLARED + dt.timedelta(hours=97)
    response = client.post(URL, _form(bazargan, tehran, declared_at=declared, deadline=format_jalali(too_late)))
    assert response.status_code == 400
    beside = _beside(response.content.decode(), "deadline")
    assert format_jalali(DECLARED + dt.timedelta(hours=96)) in beside and "۹۶ ساعت" in beside
    assert not TransitDeclaration.objects.exists()
    fine = format_jalali(DECLARED + dt.timedelta(hours=90))
    assert client.post(URL, _form(bazargan, tehran, declared_at=declared, deadline=fine)).status_code == 302


URL = reverse("declarations:register")


def test_the_import_refuses_a_deadline_past_twice_the_routes_time_naming_row_and_field(route, bazargan, tehran):
    rows = [
        (2, row(serial="T-FAR-1", route="", declared_at="1404/05/12 10:00", deadline="1414/05/12 10:00")),
        (
            3,
            row(serial="T-EXT-1", route="", declared_at="1404/05/12 10:00", deadline="1404/05/20 10:00"),
        ),  # 192 h: one extension
        (4, row(serial="T-EXT-2", route="", declared_at="1404/05/12 10:00", deadline="1404/05/20 10:01")),
    ]
    summary = import_rows(rows, source_ref="test")
    assert summary.created == 1
    assert [(e.row, e.field) for e in summary.rejected] == [(2, "deadline"), (4, "deadline")]
    assert "1404/05/20 10:00" in summary.rejected[0].message and "96 hours" in summary.rejected[0].message
    assert list(TransitDeclaration.objects.values_list("serial", flat=True)) == ["T-EXT-1"]
