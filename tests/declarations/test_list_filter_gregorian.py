"""The list's declared-date boxes refuse a Gregorian date as every other date box does, beside the box: the page
read ``2026-01-01`` as Gregorian in silence and echoed it in Persian digits as if it were a Jalali day. The API
still takes ISO dates (documented for machines)."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

LIST = reverse("declarations:list")


def _beside(html: str, name: str) -> str:
    return html.split(f'name="{name}"', 1)[1].split("<label", 1)[0]


@pytest.mark.parametrize("name", ["date_from", "date_to"])
def test_the_page_refuses_a_gregorian_date_beside_the_box(client, hq, declaration, name):
    client.force_login(hq)
    response = client.get(LIST, {name: "2026-01-01"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "is a Gregorian date" in _beside(html, name)
    assert declaration.serial not in html


def test_the_persian_page_says_it_in_persian(client, hq, declaration):
    client.force_login(hq)
    client.cookies["django_language"] = "fa"
    response = client.get(LIST, {"date_from": "2026-01-01"})
    assert response.status_code == 400
    assert "تاریخ میلادی است" in response.content.decode()


def test_an_export_refuses_it_as_the_page_does(client, hq, declaration):
    client.force_login(hq)
    response = client.get(reverse("declarations:export-csv"), {"date_to": "2026-01-01"})
    assert response.status_code == 400
    assert "is a Gregorian date" in _beside(response.content.decode(), "date_to")


def test_the_api_still_takes_an_iso_date(hq, declaration):
    api = APIClient()
    api.force_authenticate(hq)
    response = api.get("/api/declarations/", {"date_from": "2020-01-01"})
    assert response.status_code == 200, response.content
    assert [r["serial"] for r in response.json()["results"]] == [declaration.serial]
