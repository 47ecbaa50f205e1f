"""The returns API says what a submitted return's page says of the changes recorded in its period since it was
submitted: their count on the return (list and detail) and their list, in pages, scoped as the return is."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from core.dates import format_jalali, jalali_month_bounds, jalali_month_of, previous_jalali_month
from declarations.importer import import_rows
from reports import services

pytestmark = pytest.mark.django_db


def _api(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def _row(serial: str, declared_at: dt.datetime) -> dict:
    return {
        "serial": serial,
        "declared_at": format_jalali(declared_at, persian=False),
        "origin": "BZG",
        "destination": "THR",
        "plate": "12 ب 345 ایران 65",
        "hs_code": "851713",
        "description": "گوشی تلفن همراه",
        "quantity": "100",
    }


@pytest.fixture
def sent(hq, west_az, bazargan, tehran):
    """Last month's West Azerbaijan return, submitted, then three ICS imports dated inside that month."""
    year, month = previous_jalali_month(*jalali_month_of(timezone.now()))
    snap = services.return_submit(
        monthly_return=services.return_build(year=year, month=month, province=west_az, by=hq), by=hq
    )
    start = jalali_month_bounds(year, month)[0]
    for n in range(3):
        import_rows([(2, _row(f"ICS-LATE-{n}", start + dt.timedelta(days=5 + n)))], source_ref="ICS export", by=None)
    return snap


def test_hq_sees_the_late_changes_of_a_submitted_return_through_the_api(hq, sent):
    api = _api(hq)
    [listed] = [r for r in api.get("/api/reports/returns/").json()["results"] if r["id"] == sent.pk]
    assert listed["late_changes_count"] == 3
    assert api.get(f"/api/reports/returns/{sent.pk}/").json()["late_changes_count"] == 3

    # The list, as the page lists it (the first recorded first), walked in pages of two.
    body = api.get(f"/api/reports/returns/{sent.pk}/late-changes/", {"page_size": 2}, HTTP_ACCEPT_LANGUAGE="en").json()
    assert body["count"] == 3 and len(body["results"]) == 2
    changes = body["results"] + api.get(body["next"], HTTP_ACCEPT_LANGUAGE="en").json()["results"]
    assert [c["serial"] for c in changes] == ["ICS-LATE-0", "ICS-LATE-1", "ICS-LATE-2"]
    first = changes[0]
    assert (first["what"], first["status"]) == ("created", "registered")
    assert "ICS export" in first["source_ref"]
    assert first["what_text"] == "recorded (registered)"


def test_another_provinces_inspector_sees_neither_the_return_nor_its_late_changes(outsider, inspector, sent):
    api = _api(outsider)
    assert sent.pk not in [r["id"] for r in api.get("/api/reports/returns/").json()["results"]]
    assert api.get(f"/api/reports/returns/{sent.pk}/late-changes/").status_code == 404
    # The province's own inspector sees them.
    body = _api(inspector).get(f"/api/reports/returns/{sent.pk}/late-changes/").json()
    assert body["count"] == 3


def test_the_late_changes_list_takes_only_page_parameters(hq, sent):
    answer = _api(hq).get(f"/api/reports/returns/{sent.pk}/late-changes/", {"serial": "ICS-LATE-0"})
    assert answer.status_code == 400
