"""The admin's pages of a monthly return, an import batch and axes' login records give their times as Jalali
Tehran time (۱۴۰۳/۱۲/۲۰ ۰۹:۳۰), where they showed «2025-03-10 06:00:00+00:00» (in the record's title too) or
«10 مارس 2025، ساعت 9:30»."""

import datetime as dt
import re

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.urls import reverse

from accounts.models import User
from declarations.models import ImportBatch
from reports.models import MonthlyReturn

ADDED = dt.datetime(2025, 3, 10, 6, 0, tzinfo=dt.UTC)  # 1403/12/20 09:30 in Tehran
GREGORIAN = re.compile(r"\b20\d\d\b|مارس|\+00:00|\+03:30")


@pytest.fixture
def admin_client(client, hq):
    User.objects.filter(pk=hq.pk).update(is_staff=True, is_superuser=True)
    client.force_login(User.objects.get(pk=hq.pk))
    return client


def _page(admin_client, name: str, pk) -> str:
    response = admin_client.get(reverse(f"admin:{name}_change", args=[pk]))
    assert response.status_code == 200
    return re.search(r'<div id="content".*?<!-- END Content -->', response.content.decode(), re.S)[0]


@pytest.mark.persian
def test_a_monthly_return_and_an_import_batch_give_their_times_in_jalali(admin_client, west_az, hq):
    snap = MonthlyReturn.objects.create(year=1404, month=5, province=west_az, version=1, sha256="e" * 64)
    MonthlyReturn.objects.filter(pk=snap.pk).update(built_at=ADDED, submitted_at=ADDED + dt.timedelta(days=1))
    page = _page(admin_client, "reports_monthlyreturn", snap.pk)
    assert "۱۴۰۳/۱۲/۲۰ ۰۹:۳۰" in page and "۱۴۰۳/۱۲/۲۱ ۰۹:۳۰" in page and not GREGORIAN.search(page)
    assert "(شمسی):" not in page.replace("سال (شمسی):", "").replace("ماه (شمسی):", "")

    batch = ImportBatch.objects.create(filename="ics.csv", by=hq)
    ImportBatch.objects.filter(pk=batch.pk).update(
        at=ADDED, started_at=ADDED + dt.timedelta(minutes=1), finished_at=ADDED + dt.timedelta(minutes=2)
    )
    page = _page(admin_client, "declarations_importbatch", batch.pk)
    assert "۱۴۰۳/۱۲/۲۰ ۰۹:۳۰" in page and "۱۴۰۳/۱۲/۲۰ ۰۹:۳۱" in page and "۱۴۰۳/۱۲/۲۰ ۰۹:۳۲" in page
    assert not GREGORIAN.search(page)


@pytest.mark.persian
def test_axes_login_records_give_their_times_in_jalali(admin_client):
    fields = {"username": "bazargan.clerk", "ip_address": "10.1.2.3", "user_agent": "Firefox",
              "path_info": "/accounts/login/", "http_accept": "*/*"}  # fmt: skip
    attempt = AccessAttempt.objects.create(**fields, get_data="", post_data="", failures_since_start=3)
    log = AccessLog.objects.create(**fields, logout_time=ADDED + dt.timedelta(hours=1))
    failure = AccessFailureLog.objects.create(**fields, locked_out=True)
    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        model.objects.update(attempt_time=ADDED)
    for name, pk in (
        ("axes_accessattempt", attempt.pk),
        ("axes_accesslog", log.pk),
        ("axes_accessfailurelog", failure.pk),
    ):
        page = _page(admin_client, name, pk)
        assert "۱۴۰۳/۱۲/۲۰ ۰۹:۳۰" in page and not GREGORIAN.search(page), name
        assert "IP Address" not in page and "User Agent" not in page and "نشانی IP" in page, name
    assert "۱۴۰۳/۱۲/۲۰ ۱۰:۳۰" in _page(admin_client, "axes_accesslog", log.pk)
