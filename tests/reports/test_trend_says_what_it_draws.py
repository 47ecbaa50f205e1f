"""The trend draws only the months whose return has been built (the demo built one: a chart of one point
beside the dashboard's twelve months, and nothing said why). The page now says how many months it draws and
that a month appears once its return is built, linking the returns page; with none, what to do."""

import pytest
from django.urls import reverse

from reports import services

pytestmark = pytest.mark.django_db


def _note(html: str) -> str:
    return html.split('id="trend-note"', 1)[1].split("</p>", 1)[0]


def test_with_returns_it_says_how_many_months_and_where_returns_are_built(client, hq):
    services.return_build(year=1404, month=4, province=None, by=hq)
    services.return_build(year=1404, month=5, province=None, by=hq)
    client.force_login(hq)
    note = _note(client.get(reverse("reports:trend")).content.decode())
    assert "2 months" in note and "whose return has been built" in note
    assert f'href="{reverse("reports:returns")}"' in note


@pytest.mark.persian
def test_in_persian(client, hq):
    services.return_build(year=1404, month=4, province=None, by=hq)
    client.force_login(hq)
    note = _note(client.get(reverse("reports:trend")).content.decode())
    assert "۱ ماه" in note and "گزارش‌های ماهانه تسویه" in note


def test_with_none_it_says_what_to_do(client, hq):
    client.force_login(hq)
    html = client.get(reverse("reports:trend")).content.decode()
    empty = html.split('id="trend-empty"', 1)[1].split("</p>", 1)[0]
    assert "No returns built yet." in empty and "Build a month's return" in empty
    assert f'href="{reverse("reports:returns")}"' in empty


def test_a_reader_who_builds_none_is_told_who_does(client, origin_clerk):
    client.force_login(origin_clerk)
    html = client.get(reverse("reports:trend")).content.decode()
    empty = html.split('id="trend-empty"', 1)[1].split("</p>", 1)[0]
    assert "headquarters or the province's inspector" in empty
