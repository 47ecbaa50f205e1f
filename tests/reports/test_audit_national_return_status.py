"""The audit trail's «what changed» for headquarters' own (national) return read «وضعیت: پیش‌نویس → ارسال‌شده به
ستاد» while the return's page says «نهایی‌شده» (it is not sent to headquarters, it is theirs). It now reads as the
page does; a province's return keeps «ارسال‌شده به ستاد». The stored entry is unchanged."""

import pytest
from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from reports import services
from reports.models import MonthlyReturn
from tests.days import months_back_month

pytestmark = pytest.mark.django_db

YEAR, MONTH = months_back_month()
SENT, FINAL = "ارسال‌شده به ستاد", "نهایی‌شده"


def _status_line(page: str, entry: LogEntry) -> str:
    row = page.split(f'<tr data-entry="{entry.pk}">', 1)[1].split("</tr>", 1)[0]
    return row.split("وضعیت:", 1)[1].split("<", 1)[0]


def _submission(monthly_return: MonthlyReturn) -> LogEntry:
    entries = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(MonthlyReturn),
        object_pk=str(monthly_return.pk),
        action=LogEntry.Action.UPDATE,
    )
    [entry] = [e for e in entries if "status" in e.changes_dict]
    return entry


def test_the_national_returns_submission_reads_finalised_as_its_page_does(client, hq, inspector, it_officer, west_az):
    national = services.return_submit(
        monthly_return=services.return_build(year=YEAR, month=MONTH, province=None, by=hq), by=hq
    )
    province = services.return_submit(
        monthly_return=services.return_build(year=YEAR, month=MONTH, province=west_az, by=inspector), by=inspector
    )
    client.force_login(it_officer)  # the trail shows no one their own entries: headquarters' are read by IT
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fa"

    page = client.get(reverse("reports:audit"), {"object": f"IR-{YEAR}-{MONTH:02d}-v1"}).content.decode()
    line = _status_line(page, _submission(national))
    assert FINAL in line and SENT not in line
    page = client.get(reverse("reports:audit"), {"object": f"{west_az.code}-{YEAR}-{MONTH:02d}-v1"}).content.decode()
    line = _status_line(page, _submission(province))
    assert SENT in line and FINAL not in line
    assert _submission(national).changes_dict["status"] == ["draft", "submitted"]  # as stored
