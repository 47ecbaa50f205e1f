"""On a phone (390 px wide) a wide table scrolls inside its own box: the page itself never scrolls
sideways, which would slide the header off and leave the table's far columns unreachable at the
page's edge (the letters list, the problems list with the IT officer's resolve boxes)."""

import datetime as dt

import pytest
from django.utils import timezone

from casework import services as casework
from core.dates import TEHRAN
from declarations.models import Status
from reports import services as reports
from reports.models import Symptom, System
from tests.browser.conftest import login
from tests.factories import DeclarationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.persian]

PAGE_OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"


def test_the_letters_list_fits_a_phone(live_server, new_page, bazargan, tehran, origin_clerk):
    for days in (5, 12, 30):
        DeclarationFactory(
            origin=bazargan,
            destination=tehran,
            status=Status.IN_TRANSIT,
            deadline=timezone.now() - dt.timedelta(days=days),
        )
    assert casework.followups_run()["proposed"] == 3
    page = new_page(390, 844)
    login(page, live_server, "origin_clerk")
    page.goto(f"{live_server.url}/casework/letters/")
    assert page.locator("table tbody tr").count() == 3
    assert page.evaluate(PAGE_OVERFLOW) <= 0


def test_the_problems_list_with_its_resolve_boxes_fits_a_phone(
    live_server, new_page, origin_clerk, bazargan, it_officer
):
    reports.problem_report(
        by=origin_clerk,
        system=System.ICS,
        symptom=Symptom.ARRIVALS_NOT_VISIBLE,
        office=bazargan,
        since=dt.datetime(2026, 11, 30, 10, 0, tzinfo=TEHRAN),
        description="وصول‌ها دیده نمی‌شوند",
    )
    page = new_page(390, 844)
    login(page, live_server, "it_officer")
    page.goto(f"{live_server.url}/reports/problems/")
    assert page.locator('form[data-action="resolve"]').count() == 1
    assert page.evaluate(PAGE_OVERFLOW) <= 0
