"""Headquarters' own (national) return, once submitted, reads «نهایی‌شده»: it is not sent to headquarters, it is
headquarters'. A province's submitted return keeps «ارسال‌شده به ستاد». On the return's page and in the list."""

import pytest
from django.conf import settings

from reports import services
from tests.days import months_back_month

pytestmark = pytest.mark.django_db

YEAR, MONTH = months_back_month()
SENT, FINAL = "ارسال‌شده به ستاد", "نهایی‌شده"


def _status_cell(page: str, pk: int) -> str:
    row = page.split('id="returns"', 1)[1].split(f'href="/reports/returns/{pk}/"', 1)[1].split("</tr>", 1)[0]
    return row.split("<td>")[3]  # month, province, version | status


def test_the_national_return_reads_finalised_and_a_provinces_reads_sent_to_headquarters(client, hq, inspector, west_az):
    national = services.return_submit(
        monthly_return=services.return_build(year=YEAR, month=MONTH, province=None, by=hq), by=hq
    )
    province = services.return_submit(
        monthly_return=services.return_build(year=YEAR, month=MONTH, province=west_az, by=inspector), by=inspector
    )
    client.force_login(hq)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fa"

    page = client.get(f"/reports/returns/{national.pk}/").content.decode()
    line = page.split('id="return-number"', 1)[1].split("</p>", 1)[0]
    assert FINAL in line and SENT not in line
    page = client.get(f"/reports/returns/{province.pk}/").content.decode()
    line = page.split('id="return-number"', 1)[1].split("</p>", 1)[0]
    assert SENT in line and FINAL not in line

    listing = client.get("/reports/").content.decode()
    assert _status_cell(listing, national.pk).startswith(FINAL)
    assert _status_cell(listing, province.pk).startswith(SENT)

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    listing = client.get("/reports/").content.decode()
    assert _status_cell(listing, national.pk).startswith("finalised")
    assert _status_cell(listing, province.pk).startswith("submitted to headquarters")
