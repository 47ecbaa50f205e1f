"""The official holidays admin reads as Persian on the Persian admin: a shipped lunar holiday's source was shown
as stored, in English («Umm al-Qura 1448-01-09 (hijridate 2.5.0); subject to sighting»), and Django's bulk-delete
action read «حذف تعطیلات رسمی های انتخاب شده» (Django's Persian appends «های» to a plural already plural)."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from accounts.models import User
from core.holidays_data import shipped
from core.models import Holiday


@pytest.fixture
def admin_client(client, hq):
    User.objects.filter(pk=hq.pk).update(is_staff=True, is_superuser=True)
    client.force_login(User.objects.get(pk=hq.pk))
    return client


def _shipped_lunar() -> Holiday:
    row = next(r for r in shipped() if r["lunar"] and r["note"].startswith("Umm al-Qura 1448-01-09"))
    return Holiday.objects.update_or_create(date=row["date"], name=row["name"], defaults=row)[0]


def _shipped_solar() -> Holiday:
    row = next(r for r in shipped() if not r["lunar"])
    return Holiday.objects.update_or_create(date=row["date"], name=row["name"], defaults=row)[0]


def _table(page: str) -> str:
    return re.search(r'<table id="result_list">.*?</table>', page, re.S)[0]


@pytest.mark.persian
def test_the_source_of_a_shipped_holiday_reads_in_persian(admin_client):
    lunar, solar = _shipped_lunar(), _shipped_solar()
    page = admin_client.get(reverse("admin:core_holiday_changelist")).content.decode()
    table = _table(page)
    assert "Umm al-Qura" not in table and "subject to sighting" not in table
    assert "تقویم ام‌القری" in table and "۱۴۴۸/۰۱/۰۹" in table and "رؤیت هلال" in table
    assert "قانون تعطیلات رسمی" in table
    assert lunar.note.startswith("Umm al-Qura") and solar.note == "قانون تعطیلات رسمی"  # the rows are not rewritten


def test_the_source_of_a_shipped_holiday_reads_in_english(admin_client):
    _shipped_lunar(), _shipped_solar()
    table = _table(admin_client.get(reverse("admin:core_holiday_changelist")).content.decode())
    assert "Umm al-Qura calendar 1448/01/09" in table and "the law on official holidays" in table
    assert "قانون تعطیلات رسمی" not in table


@pytest.mark.persian
def test_a_source_headquarters_typed_is_shown_as_typed(admin_client):
    Holiday.objects.create(date=dt.date(2031, 3, 21), name="تعطیل آزمایشی", note="مصوبه هیئت وزیران")
    table = _table(admin_client.get(reverse("admin:core_holiday_changelist")).content.decode())
    assert "مصوبه هیئت وزیران" in table


@pytest.mark.persian
def test_the_bulk_delete_reads_in_persian(admin_client):
    holidays = [_shipped_lunar(), _shipped_solar()]
    url = reverse("admin:core_holiday_changelist")
    changelist = admin_client.get(url).content.decode()
    assert "حذف تعطیلات رسمی انتخاب‌شده" in changelist
    assert "رسمی های" not in changelist
    confirm = admin_client.post(
        url, {"action": "delete_selected", "_selected_action": [h.pk for h in holidays]}
    ).content.decode()
    assert "آیا در خصوص حذف تعطیلات رسمی انتخاب شده اطمینان دارید؟" in confirm
    assert "رسمی های" not in confirm
    assert Holiday.objects.filter(pk__in=[h.pk for h in holidays]).count() == 2  # asked, nothing deleted yet
