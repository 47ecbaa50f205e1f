"""The admin is populated and every model's pages open for headquarters."""

import io

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
    assert "۱۴۰" in body  # Jalali years 1403/1404 in Persian digits


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
