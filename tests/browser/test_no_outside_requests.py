"""No page asks anything of a host other than this server: the customs network has no internet."""

import datetime as dt
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from declarations.models import Status
from tests.browser.conftest import login
from tests.factories import DeclarationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
LOCAL = {"127.0.0.1", "localhost"}


def test_no_page_requests_anything_outside_127_0_0_1(live_server, new_page, hq, bazargan, tehran):
    d = DeclarationFactory(
        origin=bazargan,
        destination=tehran,
        status=Status.IN_TRANSIT,
        departed_at=timezone.now() - dt.timedelta(days=3),
        deadline=timezone.now() - dt.timedelta(days=1),
    )
    page = new_page()
    outside, seen, csp = [], [], []

    def guard(route):
        url = route.request.url
        host = urlsplit(url).hostname
        if url.startswith(("data:", "blob:")) or host in LOCAL:
            seen.append(url)
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    page.route("**/*", guard)
    page.on("console", lambda m: csp.append(m.text) if "Content Security Policy" in m.text else None)
    login(page, live_server, "hq")
    for path in [
        "/",
        "/declarations/",
        "/declarations/?signal=overdue",
        f"/declarations/{d.pk}/",
        f"/declarations/vehicles/{d.vehicle_id}/",
        "/api/docs/",
    ]:
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
    assert outside == []
    assert any("/static/vendor/vazirmatn/fonts/Vazirmatn-Variable.woff2" in u for u in seen)
    assert any("/static/drf_spectacular_sidecar/" in u for u in seen)
    assert csp == []
