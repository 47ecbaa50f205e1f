"""A month on an English page is named as the returns' submissions table names it («Aban 1405»,
``core.dates.month_name_label``): the return's page, the trend's axis and the dashboard's chart wrote
«1405/08», which reads as a figure (or a date) beside «Aban 1405»."""

import json
import re

import pytest
from django.utils import timezone

from core.dates import JALALI_MONTHS_EN, jalali_month_of, month_label, month_name_label, page_month_label
from reports.models import MonthlyReturn
from tests.days import months_back_month

YEAR, MONTH = months_back_month()


def test_every_english_month_label_names_the_month():
    assert month_label(1405, 8, persian=False) == "Aban 1405"
    assert page_month_label(1405, 8) == month_name_label(1405, 8) == "Aban 1405"


@pytest.mark.persian
def test_a_persian_month_label_is_unchanged():
    assert page_month_label(1405, 8) == month_label(1405, 8) == "آبان ۱۴۰۵"


def test_the_return_page_the_trend_and_the_dashboard_name_their_months(client, hq, west_az):
    client.force_login(hq)
    name = f"{JALALI_MONTHS_EN[MONTH - 1]} {YEAR}"
    assert client.post("/reports/", {"year": YEAR, "month": MONTH, "province": west_az.pk}).status_code == 302
    page = client.get(f"/reports/returns/{MonthlyReturn.objects.get().pk}/").content.decode()
    assert name in page and f">{YEAR}/{MONTH:02d}" not in page
    trend = client.get("/api/reports/trend/").json()
    assert all(re.fullmatch(r"[A-Z][a-z]+ \d{4}", label) for label in trend["labels"]), trend["labels"]
    home = client.get("/").content.decode()
    chart = json.loads(re.search(r'<script id="monthly-data" type="application/json">(.*?)</script>', home, re.S)[1])
    assert chart["labels"] and all(re.fullmatch(r"[A-Z][a-z]+ \d{4}", label) for label in chart["labels"])


def test_the_build_forms_refusal_names_the_month(client, hq):
    client.force_login(hq)
    year, month = jalali_month_of(timezone.now())
    page = client.post("/reports/", {"year": year, "month": month, "province": ""}).content.decode()
    assert f"The month {JALALI_MONTHS_EN[month - 1]} {year} has not ended yet" in page
