"""The plate reader's lists in pages: every sighting and report row reachable, the real total shown, the
search and period kept from page to page."""

import datetime as dt
import re
from urllib.parse import parse_qs

import pytest
from django.urls import reverse
from django.utils import timezone

from anpr import ingest
from anpr.views import READS_PAGE

pytestmark = pytest.mark.django_db


def test_the_plate_search_reaches_every_sighting_on_its_pages_with_the_real_total(client, hq, thr_camera, truck):
    now = timezone.now()
    made = ingest.reads_ingest(
        camera=thr_camera,
        items=[
            ingest.ReadInput(captured_at=now - dt.timedelta(minutes=10 * i + 1), plate_raw=truck.plate)
            for i in range(READS_PAGE + 3)
        ],
    )
    client.force_login(hq)
    first = client.get(reverse("anpr:plates"), {"q": truck.plate}).content.decode()
    assert re.search(r'data-total="(\d+)"', first).group(1) == str(READS_PAGE + 3)
    assert f"Sightings ({READS_PAGE + 3})" in first
    next_link = re.search(r'rel="next" href="\?([^"]+)"', first).group(1).replace("&amp;", "&")
    asked = parse_qs(next_link)
    assert asked["q"] == [truck.plate] and asked["page"] == ["2"]  # the search stays on the next page
    second = client.get(reverse("anpr:plates") + "?" + next_link).content.decode()
    on_first = {int(pk) for pk in re.findall(r'data-read="(\d+)"', first)}
    on_second = {int(pk) for pk in re.findall(r'data-read="(\d+)"', second)}
    assert len(on_first) == READS_PAGE and len(on_second) == 3
    assert on_first | on_second == {r.id for r in made}


def test_a_report_reaches_every_row_on_its_pages_in_its_order(client, hq, thr_camera, truck, monkeypatch):
    from anpr import views

    monkeypatch.setattr(views, "REPORT_PAGE", 3)
    now = timezone.now()
    ingest.reads_ingest(
        camera=thr_camera,
        items=[ingest.ReadInput(captured_at=now - dt.timedelta(days=i), plate_raw=truck.plate) for i in range(5)],
    )
    url = reverse("anpr:report", args=["anpr-reads-per-office-day"])
    client.force_login(hq)
    first = client.get(url).content.decode()
    days = int(re.search(r'data-total="(\d+)"', first).group(1))
    assert days == 5  # a row a day
    next_link = re.search(r'rel="next" href="\?([^"]+)"', first).group(1).replace("&amp;", "&")
    second = client.get(url + "?" + next_link).content.decode()
    assert re.search(r'data-total="(\d+)"', second).group(1) == str(days)
    rows = [re.findall(r"<tr><td>", page.split("<tbody>")[1].split("</tbody>")[0]) for page in (first, second)]
    assert len(rows[0]) == 3 and len(rows[1]) == 2  # it stopped at 2000 rows with no way to the rest
