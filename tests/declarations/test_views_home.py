"""The dashboard home: signal counts in the user's scope, the office table, charts, panels."""

import datetime as dt
import json

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from declarations.models import Status
from tests.factories import DeclarationFactory


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def _overdue(origin, destination, **kw):
    now = timezone.now()
    return DeclarationFactory(
        origin=origin,
        destination=destination,
        status=Status.IN_TRANSIT,
        departed_at=now - dt.timedelta(days=5),
        deadline=now - dt.timedelta(days=2),
        **kw,
    )


def _count(response, key):
    html = response.content.decode()
    marker = f'data-signal="{key}"'
    chunk = html[html.index(marker) :]
    return int(chunk.split('data-count="', 1)[1].split('"', 1)[0])


def test_it_counts_the_signals_of_the_inspectors_province_only(client, inspector, bazargan, tehran, sarakhs):
    _overdue(bazargan, tehran)
    _overdue(sarakhs, tehran)  # Khorasan → Tehran: not West Azerbaijan's
    DeclarationFactory(origin=bazargan, destination=tehran, dup_waybill=True)
    client.force_login(inspector)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert _count(response, "overdue") == 1
    assert _count(response, "dup_waybill") == 1
    assert _count(response, "off_route") == 0
    assert f'href="{reverse("declarations:list")}?signal=overdue"' in response.content.decode()


def test_it_shows_hq_the_national_picture_and_the_outsider_nothing(client, hq, outsider, bazargan, tehran):
    _overdue(bazargan, tehran)
    client.force_login(hq)
    assert _count(client.get(reverse("home")), "overdue") == 1
    client.force_login(outsider)
    assert _count(client.get(reverse("home")), "overdue") == 0


@pytest.mark.persian
def test_it_tabulates_offices_with_in_transit_overdue_median_and_on_time_share(client, inspector, bazargan, tehran):
    now = timezone.now()
    _overdue(bazargan, tehran)
    DeclarationFactory(
        origin=tehran,
        destination=bazargan,
        status=Status.SETTLED,
        departed_at=now - dt.timedelta(hours=30),
        arrived_at=now - dt.timedelta(hours=20),
        deadline=now - dt.timedelta(hours=10),
        settled_at=now - dt.timedelta(hours=5),
    )
    client.force_login(inspector)
    html = client.get(reverse("home")).content.decode()
    row = html[html.index('data-office="BZG"') :].split("</tr>", 1)[0]
    assert 'signal=overdue">۱</a>' in row  # one overdue from Bazargan
    assert "۱۰٫۰" in row  # median 10 hours from departure to arrival at Bazargan (Persian decimal separator)
    assert "۱۰۰٪" in row  # settled on time
    assert 'data-office="THR"' not in html  # Tehran is not in West Azerbaijan


def test_it_gives_the_chart_twelve_jalali_months(client, hq, declaration):
    client.force_login(hq)
    html = client.get(reverse("home")).content.decode()
    data = json.loads(html.split('id="monthly-data" type="application/json">', 1)[1].split("</script>", 1)[0])
    assert len(data["labels"]) == 12
    assert sum(data["series"][0]["data"]) == 1  # the one declaration, in its Jalali month
    assert 'src="/static/vendor/chartjs/chart.umd.min.js"' in html


def test_it_renders_the_panels_higher_apps_register(client, hq, declaration):
    client.force_login(hq)
    html = client.get(reverse("home")).content.decode()
    assert 'data-panel="scan-compliance"' in html


def test_it_answers_htmx_with_the_signals_partial(client, inspector, bazargan, tehran):
    _overdue(bazargan, tehran)
    client.force_login(inspector)
    response = client.get(reverse("home") + "?partial=signals", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<div class="signal-grid"')
    assert "<html" not in html
    assert _count(response, "overdue") == 1


def test_it_sends_anonymous_visitors_to_the_login_page(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
