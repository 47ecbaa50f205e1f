"""Headquarters' table of provinces' returns on /reports/: the provinces listed in no visible order (by code:
اردبیل، بوشهر، آذربایجان شرقی…) are in the alphabetical order of the page's language, and the English page's
column headers name the month (Aban 1405) as the Persian one does (آبان ۱۴۰۵), not «1405/08»."""

import re

import pytest
from django.utils import timezone

from core.dates import JALALI_MONTHS, JALALI_MONTHS_EN, jalali_month_of, persian_digits, previous_jalali_month
from tests.factories import ProvinceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def provinces(db):
    for code, fa, en in [
        ("ARD", "اردبیل", "Ardabil"),
        ("BSH", "بوشهر", "Bushehr"),
        ("EAZ", "آذربایجان شرقی", "East Azerbaijan"),
        ("GIL", "گیلان", "Gilan"),
        ("KRM", "کرمان", "Kerman"),
        ("PRV", "پردیس", "Pardis"),
    ]:
        ProvinceFactory(code=code, name_fa=fa, name_en=en)


def _table(client) -> tuple[list[str], list[str]]:
    page = client.get("/reports/").content.decode()
    table = page.split('id="submissions"', 1)[1].split("</table>", 1)[0]
    headers = re.findall(r"<th>([^<]*)</th>", table)[1:]
    return re.findall(r'data-province="(\w+)"', table), headers


def test_the_english_page_lists_provinces_by_english_name_and_names_the_months(client, hq, provinces):
    client.force_login(hq)
    codes, headers = _table(client)
    assert codes == ["ARD", "BSH", "EAZ", "GIL", "KRM", "PRV"]
    year, month = previous_jalali_month(*jalali_month_of(timezone.now()))
    assert headers[0] == f"{JALALI_MONTHS_EN[month - 1]} {year}"


@pytest.mark.persian
def test_the_persian_page_lists_provinces_in_persian_alphabetical_order(client, hq, provinces):
    client.force_login(hq)
    codes, headers = _table(client)
    assert codes == ["EAZ", "ARD", "BSH", "PRV", "KRM", "GIL"]  # آ ا ب پ … ک گ
    year, month = previous_jalali_month(*jalali_month_of(timezone.now()))
    assert headers[0] == persian_digits(f"{JALALI_MONTHS[month - 1]} {year}")
