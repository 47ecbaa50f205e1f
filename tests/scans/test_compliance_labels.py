"""The inspector's dashboard showed «مقایسه اسکن بررسی‌نشده» 3 on its tile and «مقایسه بررسی‌نشده» 21 in the
30-day compliance table, with no word of why. Both are right and count different things: the tile, the
comparisons made and awaiting a person (whenever the truck arrived); the table, the arrivals of its 30 days
with no comparison accepted or escalated (none made yet included). The labels now say so."""

import datetime as dt

import pytest
from django.utils import timezone

from declarations.models import Review, Status, Verdict
from tests.factories import DeclarationFactory, OfficeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def urmia(west_az):
    return OfficeFactory(code="URM", name_fa="گمرک ارومیه", name_en="Urmia", province=west_az, has_scanner=True)


def _arrived(origin, destination, days_ago, **fields):
    at = timezone.now() - dt.timedelta(days=days_ago)
    return DeclarationFactory(
        origin=origin,
        destination=destination,
        status=Status.ARRIVED,
        declared_at=at - dt.timedelta(days=2),
        departed_at=at - dt.timedelta(days=1),
        arrived_at=at,
        **fields,
    )


@pytest.mark.persian
def test_the_tile_and_the_table_say_what_each_counts(client, inspector, bazargan, urmia):
    _arrived(bazargan, urmia, 40, comparison_verdict=Verdict.CONSISTENT, comparison_review=Review.PENDING)
    _arrived(bazargan, urmia, 5)  # no comparison yet: the table's, not the tile's
    client.force_login(inspector)
    page = client.get("/").content.decode()
    tile = page.split('data-signal="scan_not_reviewed"', 1)[1].split("</a>", 1)[0]
    assert "مقایسه اسکن در انتظار بررسی" in tile and 'data-count="1"' in tile
    panel = page.split('data-panel="scan-compliance"', 1)[1].split("</section>", 1)[0]
    assert "<th>بدون مقایسه بررسی‌شده</th>" in panel
    note = panel.split('data-figure-note="not_reviewed">', 1)[1].split("</p>", 1)[0]
    assert "ورودهای ۳۰ روز گذشته" in note and "هنوز مقایسه‌ای ندارند" in note
    assert "مقایسه اسکن در انتظار بررسی" in note
