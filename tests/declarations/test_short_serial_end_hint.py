"""A serial's end is searched from four characters on: a shorter one finds nothing by its end, and the «nothing
found» row says so («پایان سریال: دست‌کم ۴ نویسه»); a search of four or more that finds nothing says nothing more."""

import pytest
from django.urls import reverse

pytestmark = [pytest.mark.django_db, pytest.mark.persian]

HINT = "پایان سریال: دست‌کم ۴ نویسه"


def _page(client, q: str) -> str:
    return client.get(reverse("declarations:list"), {"q": q}).content.decode()


def test_a_short_end_that_finds_nothing_says_four_characters_are_needed(client, hq):
    client.force_login(hq)
    assert HINT in _page(client, "۸۶۰")


def test_a_long_enough_search_that_finds_nothing_has_no_hint(client, hq):
    client.force_login(hq)
    assert HINT not in _page(client, "98606")
