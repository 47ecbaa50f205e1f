"""The scan pages in Chromium, as the offices' staff use them (the page's own script included)."""

import pytest

from tests.browser.conftest import chromium, login, new_page  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.persian]

PAGE_OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"


def test_the_scans_page_with_its_comparisons_fits_a_phone(live_server, new_page, done_comparison, dest_clerk):  # noqa: F811
    page = new_page(390, 844)
    login(page, live_server, "dest_clerk")
    page.goto(f"{live_server.url}/scans/declaration/{done_comparison.declaration_id}/")
    assert page.locator("#scan-comparisons table tbody tr").count() == 1
    # The comparisons table scrolls inside its box; the page itself does not slide sideways.
    assert page.evaluate(PAGE_OVERFLOW) <= 0
