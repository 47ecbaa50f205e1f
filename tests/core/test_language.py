"""Persian by default whatever the browser asks; English only when the user chooses it."""

import pytest
from django.urls import reverse


@pytest.mark.persian
def test_pages_are_persian_and_rtl_even_for_an_english_browser(client, db):
    body = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="fa"' in body and 'dir="rtl"' in body


def test_the_language_switch_gives_english_left_to_right(client, db):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/login/"})
    assert response.status_code == 302
    body = client.get(reverse("login")).content.decode()
    assert 'lang="en"' in body and 'dir="ltr"' in body
