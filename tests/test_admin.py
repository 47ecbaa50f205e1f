"""The admin is populated and every model's pages open for headquarters."""

import io
import re

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User


@pytest.fixture
def seeded(hq):
    call_command("seed_demo", declarations=300, no_users=True, json=True, stdout=io.StringIO())
    User.objects.filter(pk=hq.pk).update(is_staff=True, is_superuser=True)
    return User.objects.get(pk=hq.pk)


def test_every_registered_model_lists_and_opens(client, seeded):
    client.force_login(seeded)
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        response = client.get(url)
        assert response.status_code == 200, url
        obj = model_admin.get_queryset(type("R", (), {"user": seeded})()).first()
        if obj is not None:
            change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
            assert client.get(change).status_code == 200, change


def test_declarations_show_jalali_dates(client, seeded):
    client.force_login(seeded)
    body = client.get(reverse("admin:declarations_transitdeclaration_changelist")).content.decode()
    # Jalali years (1404/1405), in the English page's digits (the Persian page's are Persian: test_admin_lists_persian)
    assert re.search(r"\b140[3-6]/[01]\d/[0-3]\d\b", body) and not re.search("[۰-۹]{4}/", body)


@pytest.mark.persian
def test_the_persian_admin_index_has_no_english_headings(client, hq):
    User.objects.filter(pk=hq.pk).update(is_staff=True, is_superuser=True)
    client.force_login(hq)
    page = client.get(reverse("admin:index")).content.decode()
    assert "سوابق ممیزی و سامانه" in page and "نوع داده" in page
    assert ">Core<" not in page and "Model name" not in page
    # third-party apps' headings that Django can translate (axes, auditlog have no Persian catalogue)
    assert "سابقه ممیزی" in page and "تلاش‌های ورود" in page and "Access attempts" not in page
    # django-otp marks none of its names for translation: ours are shown instead
    assert "برنامه‌های تأیید دومرحله‌ای" in page and "دستگاه‌های تأیید هویت" in page and "کدهای پشتیبان" in page
    assert "سامانه" in page and ">Axes<" not in page and "تلاش‌های ورود و قفل‌ها" in page
    assert "TOTP device" not in page and "Static device" not in page and ">Otp_" not in page.title()


def test_the_returns_and_their_builds_list_at_a_few_queries_however_many_rows(client, hq, west_az):
    """A return names its province (nullable: a national return has none), and a build its province and the
    return it made (``MonthlyReturn.__str__`` follows the province): each row looked them up on its own."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reports.models import MonthlyReturn, ReturnBuild

    User.objects.filter(pk=hq.pk).update(is_staff=True, is_superuser=True)
    client.force_login(User.objects.get(pk=hq.pk))

    def build(month: int) -> None:
        made = MonthlyReturn.objects.create(year=1404, month=month, province=west_az, version=1, sha256="e" * 64)
        ReturnBuild.objects.create(key=f"k{month}", year=1404, month=month, province=west_az, result=made)

    def queries(model) -> int:
        url = reverse(f"admin:reports_{model._meta.model_name}_changelist")
        with CaptureQueriesContext(connection) as done:
            assert client.get(url).status_code == 200
        return len(done)

    build(1)
    client.get(reverse("admin:index"))  # the session and the content types read once
    one = {model: queries(model) for model in (MonthlyReturn, ReturnBuild)}
    for month in range(2, 7):
        build(month)
    assert {model: queries(model) for model in (MonthlyReturn, ReturnBuild)} == one


def _authenticator_list(client, hq) -> str:
    """The TOTP devices list (django-otp's model) as headquarters sees it, one device added in Esfand 1403."""
    import datetime as dt

    from django_otp.plugins.otp_totp.models import TOTPDevice

    User.objects.filter(pk=hq.pk).update(is_staff=True, is_superuser=True)
    device = TOTPDevice.objects.create(user=hq, name="authenticator", confirmed=True)
    added = dt.datetime(2025, 3, 10, 6, 0, tzinfo=dt.UTC)  # 1403/12/20 09:30 in Tehran
    TOTPDevice.objects.filter(pk=device.pk).update(created_at=added, last_used_at=added + dt.timedelta(days=1))
    client.force_login(User.objects.get(pk=hq.pk))
    return client.get(reverse("admin:otp_totp_totpdevice_changelist")).content.decode()


@pytest.mark.persian
def test_the_authenticator_devices_list_speaks_persian_with_jalali_dates(client, hq):
    page = _authenticator_list(client, hq)
    for header in ("کاربر", "نام دستگاه", "تاریخ ایجاد", "آخرین استفاده", "تأییدشده"):
        assert f">{header}</a>" in page, header
    assert "۱۴۰۳/۱۲/۲۰ ۰۹:۳۰" in page and "۱۴۰۳/۱۲/۲۱ ۰۹:۳۰" in page
    assert "Created at" not in page and "Last used at" not in page and "2025" not in page and "مارس" not in page
    assert "براساس تأییدشده" in page and "created at" not in page and "Search by user" not in page
    assert "جستجو با نام کاربری یا نشانی ایمیل کاربر" in page


def test_the_authenticator_devices_list_stays_english_on_english_pages(client, hq):
    page = _authenticator_list(client, hq)
    for header in ("User", "Device name", "Created on", "Last used on", "Confirmed"):
        assert f">{header}</a>" in page, header
    assert "1403/12/20 09:30" in page and "۱۴۰۳" not in page  # Jalali, in the English page's digits
    assert "Search by the user&#x27;s username or email address" in page


@pytest.mark.persian
def test_the_persian_admin_index_is_titled_with_the_apps_name_and_its_words_well_joined(client, hq):
    """It said «مدیریت وب‌گاه» (Django's «Site administration») and «فعالیتهای اخیر» with no zero-width non-joiner."""
    User.objects.filter(pk=hq.pk).update(is_staff=True, is_superuser=True)
    client.force_login(hq)
    page = client.get(reverse("admin:index")).content.decode()
    assert "<title>مدیریت سامانه پایش ترانزیت | سامانه پایش ترانزیت</title>" in page
    assert "مدیریت وب‌گاه" not in page
    assert "فعالیت‌های اخیر" in page and "فعالیتهای اخیر" not in page


def test_the_english_admin_index_is_titled_with_the_apps_name(client, hq):
    User.objects.filter(pk=hq.pk).update(is_staff=True, is_superuser=True)
    client.force_login(hq)
    page = client.get(reverse("admin:index")).content.decode()
    assert "<title>Transit Monitor administration | Transit Monitor</title>" in page
    assert "Site administration" not in page and "Django administration" not in page
