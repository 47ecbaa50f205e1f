"""Searching by the beginning of a serial: ``?q=WALK2`` or ``?q=1405-SRJ`` finds the declarations whose serials
begin so, on the API (the ICS client) and on the list page alike; it found nothing unless the serial was whole.
And by its end, as an officer quotes a declaration by its last digits (``?q=8606``): at least four characters,
so that a short end does not match a share of the whole country."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tests.factories import DeclarationFactory

pytestmark = pytest.mark.django_db
SERIALS = ("WALK2-0001", "WALK2-0002", "WALK3-0001", "1405-SRJ-00017", "1405-SRK-00001")


@pytest.fixture
def serials(bazargan, tehran):
    for serial in SERIALS:
        DeclarationFactory(serial=serial, origin=bazargan, destination=tehran)


@pytest.mark.parametrize(
    ("q", "found"),
    [
        ("WALK2", {"WALK2-0001", "WALK2-0002"}),
        ("walk2", {"WALK2-0001", "WALK2-0002"}),
        ("۱۴۰۵-SRJ", {"1405-SRJ-00017"}),
        ("1405-SRJ-00017", {"1405-SRJ-00017"}),
        ("ALK2", set()),  # the beginning or the end, not any part
        ("0001", {"WALK2-0001", "WALK3-0001", "1405-SRK-00001"}),
        ("00017", {"1405-SRJ-00017"}),
        ("۰۰۱۷", {"1405-SRJ-00017"}),  # typed on a Persian keyboard
        ("srj-00017", {"1405-SRJ-00017"}),
        ("017", set()),  # an end shorter than four characters is not searched
    ],
)
def test_the_api_and_the_list_page_find_serials_by_their_beginning(client, hq, serials, q, found):
    api = APIClient()
    api.force_authenticate(hq)
    body = api.get("/api/declarations/", {"q": q}).json()
    assert {r["serial"] for r in body["results"]} == found, body
    client.force_login(hq)
    page = client.get(reverse("declarations:list"), {"q": q}).content.decode()
    assert {s for s in SERIALS if s in page.replace(f'value="{q}"', "")} == found
