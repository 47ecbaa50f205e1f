"""An inspection's follow-up action took a 50,000-character description, the same action sent four times
became four actions, and a due date of 1500/01/01 (the year 2121) was taken. Now: at most 2,000 characters,
the same open action on the same inspection within ten minutes is refused (409 naming it), and a due date
more than a year from today is refused; the API and the page alike."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.services import api_token_issue
from core.dates import format_jalali
from reports import services
from reports.models import CHECKLIST, InspectionAction

pytestmark = pytest.mark.django_db


def jday(d: dt.date) -> str:
    return format_jalali(d, with_time=False, persian=False)


@pytest.fixture
def inspection(bazargan, inspector):
    return services.inspection_record(
        office=bazargan,
        by=inspector,
        inspected_on=timezone.localdate() - dt.timedelta(days=3),
        checklist=dict.fromkeys(CHECKLIST, "yes"),
    )


def _api(user) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(user=user, name='test')[1]}")
    return api


def test_the_api_refuses_a_long_description_a_far_due_date_and_the_same_action_twice(inspector, inspection):
    api = _api(inspector)
    url = f"/api/reports/inspections/{inspection.pk}/actions/"
    due = jday(timezone.localdate() + dt.timedelta(days=14))
    long = api.post(url, {"description": "ا" * 50_000, "responsible_office": "BZG", "due_on": due}, format="json")
    assert long.status_code == 400 and "description" in long.json()["error"]["fields"]
    far = api.post(
        url, {"description": "نصب دوربین", "responsible_office": "BZG", "due_on": "1500/01/01"}, format="json"
    )
    assert far.status_code == 400 and "within a year" in far.json()["error"]["fields"]["due_on"][0]
    assert not InspectionAction.objects.exists()

    body = {"description": "نصب دوربین", "responsible_office": "BZG", "due_on": due}
    first = api.post(url, body, format="json")
    assert first.status_code == 201
    again = [api.post(url, body, format="json") for _ in range(3)]
    assert [r.status_code for r in again] == [409, 409, 409]
    assert again[0].json()["action"] == first.json()["id"]
    assert "still open" in again[0].json()["error"]["message"]
    assert InspectionAction.objects.count() == 1


def test_the_page_refuses_the_same(client, inspector, inspection, bazargan):
    client.force_login(inspector)
    url = f"/reports/inspections/{inspection.pk}/"
    due = jday(timezone.localdate() + dt.timedelta(days=7))
    form = {"new-description": "گزارش ماهانه", "new-responsible_office": bazargan.pk, "new-due_on": due}
    long = client.post(url, {**form, "new-description": "ا" * 2001})
    assert long.status_code == 400 and "At most 2,000 characters; 2,001 were written." in long.content.decode()
    far = client.post(url, {**form, "new-due_on": "1500/01/01"})
    assert far.status_code == 400 and "more than a year from today" in far.content.decode()
    assert client.post(url, form).status_code == 302
    again = client.post(url, form)
    assert again.status_code == 409 and "still open" in again.content.decode()
    assert InspectionAction.objects.count() == 1
