"""The scan-compliance panel heads its columns as the dashboard's other tables do: capitalised in English,
its Persian words unchanged."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from declarations.models import Status
from tests.factories import DeclarationFactory

pytestmark = pytest.mark.django_db


def _headers(client) -> list[str]:
    html = client.get(reverse("home")).content.decode()
    panel = html[html.index('data-panel="scan-compliance"') :].split("</section>", 1)[0]
    return re.findall(r"<th>([^<]*)</th>", panel.split("</thead>", 1)[0])


def test_the_headers_are_capitalised_in_english(client, hq, bazargan, tehran):
    DeclarationFactory(origin=bazargan, destination=tehran, status=Status.IN_TRANSIT, departed_at=timezone.now())
    client.cookies["django_language"] = "en"
    client.force_login(hq)
    headers = _headers(client)
    assert headers == [
        "Office",
        "Departed",
        "Origin scan in time",
        "Origin scan late or missing",
        "Arrived",
        "Comparison reviewed",
        "No reviewed comparison",
    ]


@pytest.mark.persian
def test_the_persian_headers_keep_their_words(client, hq, bazargan, tehran):
    DeclarationFactory(origin=bazargan, destination=tehran, status=Status.IN_TRANSIT, departed_at=timezone.now())
    client.force_login(hq)
    headers = _headers(client)
    assert headers[1:3] == ["خارج‌شده از مبدأ", "اسکن مبدأ به‌موقع"] and headers[4] == "وصول‌شده"
