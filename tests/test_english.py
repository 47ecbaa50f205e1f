"""English pages say office and province names in English and write figures the English way."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from declarations.models import Status
from tests.factories import DeclarationFactory

pytestmark = pytest.mark.django_db


def english(client):
    client.cookies["django_language"] = "en"
    return client


def test_the_dashboard_and_a_declaration_name_offices_in_english(client, inspector, bazargan, tehran):
    now = timezone.now()
    d = DeclarationFactory(
        origin=tehran,
        destination=bazargan,
        status=Status.SETTLED,
        departed_at=now - dt.timedelta(hours=30),
        arrived_at=now - dt.timedelta(hours=20),
        deadline=now - dt.timedelta(hours=10),
        settled_at=now - dt.timedelta(hours=5),
    )
    english(client).force_login(inspector)
    html = client.get(reverse("home")).content.decode()
    assert 'lang="en"' in html
    row = html[html.index('data-office="BZG"') :].split("</tr>", 1)[0]
    assert ">Bazargan</a>" in row and "گمرک بازرگان" not in row
    assert "100%" in row and "٪" not in row
    assert "Province: West Azerbaijan" in html

    page = client.get(reverse("declarations:detail", args=[d.pk])).content.decode()
    assert "Bazargan (West Azerbaijan)" in page and "Tehran (Tehran)" in page and "گمرک بازرگان" not in page


@pytest.mark.persian
def test_persian_pages_keep_the_persian_names(client, inspector, bazargan, tehran):
    d = DeclarationFactory(origin=tehran, destination=bazargan)
    client.force_login(inspector)
    page = client.get(reverse("declarations:detail", args=[d.pk])).content.decode()
    assert "گمرک بازرگان (آذربایجان غربی)" in page


def test_the_scan_compliance_panel_names_offices_in_english(client, hq, bazargan, tehran):
    DeclarationFactory(origin=bazargan, destination=tehran, status=Status.IN_TRANSIT, departed_at=timezone.now())
    english(client).force_login(hq)
    html = client.get(reverse("home")).content.decode()
    panel = html[html.index('data-panel="scan-compliance"') :].split("</section>", 1)[0]
    assert "<td>Bazargan</td>" in panel and "گمرک" not in panel and "٪" not in panel
