"""English table headers were of two cases: most lower case («serial», «office»), a few capitalised. Every table
header on an English page starts with a capital, by one rule of the app's stylesheet for English pages (their
``<html lang="en">``); Persian pages are untouched, and no msgid changed."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_english_pages_capitalise_every_table_headers_first_letter(client, hq):
    css = (Path(settings.BASE_DIR) / "static" / "css" / "app.css").read_text()
    rule = re.search(r":lang\(en\)\s+th::first-letter\s*\{([^}]*)\}", css)
    assert rule and "text-transform: uppercase" in rule[1]
    client.force_login(hq)
    page = client.get(reverse("declarations:list")).content.decode()
    assert '<html lang="en"' in page and "/static/css/app.css" in page
