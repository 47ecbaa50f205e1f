"""The demo's foreign trucks (``declarations.demo``), imported as one batch as an ICS export would bring them:
the batch's reference is an identifier-like name, the same on English and Persian pages."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.offices_data import ensure_offices
from declarations.demo import _foreign_scenarios

pytestmark = pytest.mark.django_db
PERSIAN_LETTERS = re.compile(r"[\u0600-\u06ff]")


def _status_from(client, declaration) -> str:
    html = client.get(reverse("declarations:detail", args=[declaration.pk])).content.decode()
    part = html.split("Status from" if "Status from" in html else "منبع وضعیت", 1)[1].split("</dd>", 1)[0]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", part)).strip()


def test_an_english_page_names_the_foreign_trucks_batch_without_persian_words(client, hq):
    ensure_offices()
    truck = _foreign_scenarios(timezone.now())[0]
    client.force_login(hq)
    shown = _status_from(client, truck)
    assert re.search(r"import batch \d+: demo-foreign-trucks", shown), shown
    assert not PERSIAN_LETTERS.search(shown), shown


@pytest.mark.persian
def test_a_persian_page_names_it_in_persian_with_the_same_reference(client, hq):
    ensure_offices()
    truck = _foreign_scenarios(timezone.now())[0]
    client.force_login(hq)
    shown = _status_from(client, truck)
    assert "دسته ورود اطلاعات" in shown and "demo-foreign-trucks" in shown, shown
