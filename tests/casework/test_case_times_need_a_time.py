"""A case's discovery time and the time a statutory step was done start or stop its clocks (the 24-hour
handover, the working-day file): a date typed with no time was stored as 00:00, so the 24-hour step was
already hours gone when the case was entered. The time is required beside the field, with an example."""

import datetime as dt

import jdatetime
import pytest
from django.utils import timezone

from casework import services as casework
from casework.models import JudicialCase, MilestoneKind
from declarations.models import Status
from tests.core.test_form_style import beside
from tests.factories import DeclarationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def overdue(bazargan, tehran):
    return DeclarationFactory(
        origin=bazargan, destination=tehran, status=Status.IN_TRANSIT, deadline=timezone.now() - dt.timedelta(days=8)
    )


def _day(days_ago: int = 0) -> str:
    return jdatetime.date.fromgregorian(date=timezone.localdate() - dt.timedelta(days=days_ago)).strftime("%Y/%m/%d")


FORM = {
    "file_number": "1405-BZG-78",
    "authority": "دادسرای عمومی",
    "cif_value": "100",
    "currency": "USD",
    "exchange_rate": "650000",
    "duties": "0",
    "fees": "0",
}


def test_a_discovery_date_without_its_time_is_refused_beside_it(client, overdue, inspector):
    client.force_login(inspector)
    url = f"/casework/cases/new/{overdue.pk}/"
    response = client.post(url, {**FORM, "opened_on": _day(1), "discovered_at": _day(1)})
    assert response.status_code == 400
    beside(response.content.decode(), "id_discovered_at", f"Enter the time too (Tehran time), like {_day(1)} 14:30.")
    assert not JudicialCase.objects.exists()

    response = client.post(url, {**FORM, "opened_on": _day(1), "discovered_at": f"{_day(1)} 10:05"})
    assert response.status_code == 302
    found = JudicialCase.objects.get().discovered_at.astimezone(dt.timezone(dt.timedelta(hours=3, minutes=30)))
    assert (found.hour, found.minute) == (10, 5)


@pytest.mark.persian
def test_the_example_is_in_persian_digits_on_the_persian_page(client, overdue, inspector):
    client.force_login(inspector)
    response = client.post(
        f"/casework/cases/new/{overdue.pk}/", {**FORM, "opened_on": _day(1), "discovered_at": _day(1)}
    )
    example = _day(1).translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")) + " ۱۴:۳۰"
    beside(response.content.decode(), "id_discovered_at", f"ساعت را هم وارد کنید (به وقت تهران)، مانند {example}.")


def test_a_step_dated_without_its_time_is_refused_beside_it(client, overdue, inspector):
    case = casework.case_open(
        declaration=overdue,
        by=inspector,
        file_number="1405-BZG-79",
        authority="دادسرای عمومی",
        opened_on=timezone.localdate() - dt.timedelta(days=1),
        cif_value="100",
        exchange_rate="650000",
    )
    handover = case.milestones.get(kind=MilestoneKind.HANDOVER)
    client.force_login(inspector)
    form = {"form": "milestone", "milestone": handover.pk, f"m{handover.pk}-evidence_note": "صورت‌جلسه ۹"}
    response = client.post(f"/casework/cases/{case.pk}/", {**form, f"m{handover.pk}-done_at": _day(0)})
    assert response.status_code == 400
    beside(response.content.decode(), f"id_m{handover.pk}-done_at", "Enter the time too")
    handover.refresh_from_db()
    assert handover.done_at is None
