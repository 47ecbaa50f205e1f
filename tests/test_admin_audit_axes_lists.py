"""The audit trail's list (django-auditlog's admin) and axes' login log and failed logins lists speak the page's
language, as the other admin lists do: translated headers and filters, Jalali dates in Persian digits, fields by
their verbose names, no drill-down or filter by Gregorian date. They showed «Resource», «Changes», «Correlation
ID», «Attempt Time», «Logout Time», «Access lock out», dates like «6 دسامبر 2026، ساعت 22:23», «18 changes: id,
year, month, …», model names like «monthlyreturn» and «system»."""

import datetime as dt
import re

import pytest
from auditlog.models import LogEntry
from axes.models import AccessFailureLog, AccessLog
from django.urls import reverse

from accounts.models import User
from core.dates import format_jalali
from reports.models import MonthlyReturn

ADDED = dt.datetime(2025, 3, 10, 6, 0, tzinfo=dt.UTC)  # 1403/12/20 09:30 in Tehran
GREGORIAN = re.compile(r"\b20\d\d\b|دسامبر|مارس|ژانویه")


def gregorian(html: str) -> re.Match | None:
    """A Gregorian year or month in what the page shows: its text, not its links and attributes, where a filter's
    «?actor__id__exact=2099» (a row's id on a long-running PostgreSQL database) is no date."""
    return GREGORIAN.search(re.sub(r"<[^>]*>", " ", html))


@pytest.fixture
def admin_client(client, hq):
    User.objects.filter(pk=hq.pk).update(is_staff=True, is_superuser=True)
    client.force_login(User.objects.get(pk=hq.pk))
    return client


def _list(admin_client, name: str) -> tuple[str, str]:
    """The page, and its rows and filters (where a Gregorian date would show)."""
    response = admin_client.get(reverse(f"admin:{name}_changelist"))
    assert response.status_code == 200
    page = response.content.decode()
    table = re.search(r'<table id="result_list">.*?</table>', page, re.S)[0]
    filters = re.search(r'<nav id="changelist-filter".*?</nav>', page, re.S)
    return page, table + (filters[0] if filters else "")


@pytest.mark.persian
def test_the_audit_trail_list_speaks_persian_with_jalali_dates(admin_client, west_az):
    MonthlyReturn.objects.create(year=1404, month=5, province=west_az, version=2, sha256="e" * 64, unsettled_count=7)
    entry = LogEntry.objects.get(content_type__model="monthlyreturn")
    page, shown = _list(admin_client, "auditlog_logentry")
    for header in ("زمان", "انجام‌دهنده", "عمل", "موضوع", "چه تغییر کرد"):
        assert f">{header}</a>" in page or f"<span>{header}</span>" in page, header
    for english in (">Resource<", ">Changes<", "Correlation ID", "Resource Type", " changes: ", ">system<"):
        assert english not in page, english
    assert format_jalali(entry.timestamp) in shown and not gregorian(shown)
    assert 'class="toplinks"' not in page  # no drill-down by Gregorian year and month
    assert "سال (شمسی)، ماه (شمسی)، استان" in shown and ">id," not in shown  # its fields by their names
    assert ">monthlyreturn<" not in page and "براساس نوع رکورد" in page and "گزارش ماهانه تسویه" in shown
    assert "سامانه" in shown  # written by no person


@pytest.mark.persian
def test_the_login_log_and_failed_logins_lists_speak_persian_with_jalali_dates(admin_client):
    log = AccessLog.objects.create(
        username="bazargan.clerk", ip_address="10.1.2.3", user_agent="Firefox", path_info="/accounts/login/",
        http_accept="*/*", logout_time=ADDED + dt.timedelta(hours=1),
    )  # fmt: skip
    AccessLog.objects.filter(pk=log.pk).update(attempt_time=ADDED)
    failure = AccessFailureLog.objects.create(
        username="bazargan.clerk", ip_address="10.1.2.3", user_agent="Firefox", path_info="/accounts/login/",
        http_accept="*/*", locked_out=True,
    )  # fmt: skip
    AccessFailureLog.objects.filter(pk=failure.pk).update(attempt_time=ADDED)

    page, shown = _list(admin_client, "axes_accesslog")
    for header in ("زمان تلاش", "زمان خروج", "نشانی IP", "نام کاربری", "مرورگر (user agent)", "مسیر"):
        assert f">{header}</a>" in page, header
    assert "۱۴۰۳/۱۲/۲۰ ۰۹:۳۰" in shown and "۱۴۰۳/۱۲/۲۰ ۱۰:۳۰" in shown and not gregorian(shown)
    assert "Attempt Time" not in page and "Logout Time" not in page and 'class="toplinks"' not in page

    page, shown = _list(admin_client, "axes_accessfailurelog")
    for header in ("زمان تلاش", "نشانی IP", "نام کاربری", "مرورگر (user agent)", "مسیر", "قفل‌شده"):
        assert f">{header}</a>" in page, header
    assert "۱۴۰۳/۱۲/۲۰ ۰۹:۳۰" in shown and not gregorian(shown)
    assert "Access lock out" not in page and "براساس قفل‌شده" in page and 'class="toplinks"' not in page
