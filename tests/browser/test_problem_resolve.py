"""The IT officer presses "resolve" with nothing written: the form stays, the error beside the
field, and the next try resolves the problem (issue 11, item 22; htmx swaps the 400 answer)."""

import datetime as dt

import pytest

from core.dates import TEHRAN
from reports import services
from reports.models import ProblemStatus, Symptom, System
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.persian]


def test_an_empty_resolve_keeps_the_form_until_it_is_filled(live_server, new_page, origin_clerk, bazargan, it_officer):
    problem = services.problem_report(
        by=origin_clerk,
        system=System.ICS,
        symptom=Symptom.ARRIVALS_NOT_VISIBLE,
        office=bazargan,
        since=dt.datetime(2026, 11, 30, 10, 0, tzinfo=TEHRAN),
        description="وصول‌ها دیده نمی‌شوند",
    )
    page = new_page()
    login(page, live_server, "it_officer")
    url = f"{live_server.url}/reports/problems/{problem.pk}/"
    page.goto(url)
    form = page.locator('form[data-action="resolve"]')
    form.locator("button[type=submit]").click()
    page.wait_for_selector("#problem-actions .invalid-feedback")
    # htmx settles the swapped textarea's attributes (its class) a moment after the swap: wait for it
    page.wait_for_selector('form[data-action="resolve"] textarea[name="resolution"].is-invalid', timeout=5000)
    assert page.url == url  # no page load: htmx swapped the block
    assert "شرح" in page.locator("#problem-actions .invalid-feedback").inner_text()

    page.fill('textarea[name="resolution"]', "همگام‌سازی دوباره راه‌اندازی شد")
    page.locator('form[data-action="resolve"] button[type=submit]').click()
    page.wait_for_selector(".alert-success")
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.RESOLVED
    assert page.locator('form[data-action="resolve"]').count() == 0
