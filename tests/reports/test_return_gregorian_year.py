"""A Gregorian year typed in the returns' year field (2026 for 1405) is named for what it is, with the Jalali year
asked for, as the date fields do («… تاریخ میلادی است: … شمسی بنویسید»), not «at most 1,500»."""

import pytest
from django.conf import settings
from django.utils import timezone

from core.dates import jalali_month_of

pytestmark = pytest.mark.django_db


def test_a_gregorian_year_asks_for_the_jalali_year(client, hq):
    client.force_login(hq)
    response = client.post("/reports/", {"year": "2026", "month": "1", "province": ""})
    assert response.status_code == 400
    [error] = response.context["form"].errors["year"]
    this_year = jalali_month_of(timezone.now())[0]
    assert error == f"2026 is a Gregorian year: enter the Jalali year, like {this_year}.", error
    assert "1500" not in error and "1,500" not in error


def test_in_persian_it_says_so_in_persian_digits(client, hq):
    hq.language = "fa"
    hq.save(update_fields=["language"])
    client.force_login(hq)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fa"
    response = client.post("/reports/", {"year": "۲۰۲۶", "month": "1", "province": ""})
    [error] = response.context["form"].errors["year"]
    assert "۲۰۲۶" in error and "سال میلادی است" in error and "شمسی بنویسید" in error, error
