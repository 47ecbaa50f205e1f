"""The monthly return's page follows its reader's language: its figures' names, month, places and
digits; the XLSX and PDF stay the official Persian document."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from core.dates import jalali_month_bounds
from declarations.models import Status, UnsettledReason
from reports import services
from tests.factories import DeclarationFactory

DAY = dt.timedelta(days=1)
S, E = jalali_month_bounds(1404, 5)
PERSIAN = re.compile("[\u0600-\u06ff]")


@pytest.fixture
def declarations(bazargan, tehran):
    DeclarationFactory(
        serial="BZG-1",
        origin=bazargan,
        destination=tehran,
        declared_at=S - 20 * DAY,
        status=Status.IN_TRANSIT,
        departed_at=S - 19 * DAY,
        deadline=E - 3 * DAY,
    )
    DeclarationFactory(
        serial="BZG-2",
        origin=bazargan,
        destination=tehran,
        declared_at=S - 20 * DAY,
        deadline=S - 16 * DAY,
        status=Status.UNSETTLED,
        unsettled_reason=UnsettledReason.DUPLICATE_WAYBILL,
        unsettled_at=S - 10 * DAY,
    )


def _content(page: str) -> str:
    return page[page.index("<h1>") : page.rindex("</table>")]


def test_the_national_return_reads_in_english_on_english_pages(client, hq, declarations):
    snap = services.return_build(year=1404, month=5, province=None, by=hq)
    client.force_login(hq)
    content = _content(client.get(reverse("reports:return", args=[snap.pk])).content.decode())
    assert "Whole country — Mordad 1404" in content
    assert "Opening balance (unsettled)" in content and "Closing balance (unsettled)" in content
    assert "duplicate waybill" in content and "no arrival by the deadline" in content
    assert "0–7 days past the deadline" in content and "deadline not passed" in content
    assert "invalid IMEI (the month&#x27;s declarations)" in content
    assert "West Azerbaijan (WAZ)" in content
    assert not PERSIAN.search(content), PERSIAN.findall(content)


def test_an_offices_part_names_its_office_in_english(client, west_az, declarations, inspector, origin_clerk):
    snap = services.return_build(year=1404, month=5, province=west_az, by=inspector)
    client.force_login(origin_clerk)
    content = _content(client.get(reverse("reports:return", args=[snap.pk])).content.decode())
    assert "Monthly return — West Azerbaijan — Bazargan — Mordad 1404" in content
    assert not PERSIAN.search(content), PERSIAN.findall(content)


@pytest.mark.persian
def test_the_return_page_keeps_its_persian_on_persian_pages(client, hq, declarations):
    snap = services.return_build(year=1404, month=5, province=None, by=hq)
    client.force_login(hq)
    content = _content(client.get(reverse("reports:return", args=[snap.pk])).content.decode())
    assert "کل کشور — مرداد ۱۴۰۴" in content
    assert "مانده پایان ماه (تسویه‌نشده)" in content and "عدم وصول تا پایان مهلت" in content
    assert "۰ تا ۷ روز پس از مهلت" in content and "آذربایجان غربی (WAZ)" in content
