"""The admin's cameras gave their times in Gregorian («4 دسامبر 2026، ساعت 9:30»), in the list and on the camera's
page, where the camera's own page and the rest of the admin write them in Jalali, Tehran time, Persian digits."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from accounts.models import User
from anpr.models import Camera

pytestmark = [pytest.mark.django_db, pytest.mark.persian]

GREGORIAN = re.compile(r"ژانویه|نوامبر|دسامبر|\b202[67]\b|\+00:00")


def _at(month: int, day: int, hour: int = 6, minute: int = 0, year: int = 2026) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=dt.UTC)


@pytest.fixture
def admin_client(client, hq):
    User.objects.filter(pk=hq.pk).update(is_staff=True, is_superuser=True)
    client.force_login(User.objects.get(pk=hq.pk))
    return client


def _content(response) -> str:
    assert response.status_code == 200
    return re.search(r'<div id="content".*?<!-- END Content -->', response.content.decode(), re.S)[0]


def test_the_cameras_list_and_a_cameras_page_give_their_times_in_jalali(admin_client, bzg_camera):
    Camera.objects.filter(pk=bzg_camera.pk).update(
        health=Camera.Health.SILENT,
        last_read_at=_at(12, 4),  # 1405/09/13 09:30 in Tehran
        silent_since=_at(12, 5),
        health_checked_at=_at(12, 5, minute=10),
        created_at=_at(11, 20),
        token_expires_at=_at(1, 10, year=2027),
    )
    listed = _content(admin_client.get(reverse("admin:anpr_camera_changelist")))
    assert "۱۴۰۵/۰۹/۱۳ ۰۹:۳۰" in listed and ">آخرین قرائت</a>" in listed  # the list's short header
    assert not GREGORIAN.search(listed)

    page = _content(admin_client.get(reverse("admin:anpr_camera_change", args=[bzg_camera.pk])))
    for label, shown in (
        ("زمان آخرین قرائت", "۱۴۰۵/۰۹/۱۳ ۰۹:۳۰"),
        ("زمان هشدار بدون قرائت", "۱۴۰۵/۰۹/۱۴ ۰۹:۳۰"),
        ("زمان بررسی سلامت", "۱۴۰۵/۰۹/۱۴ ۰۹:۴۰"),
        ("زمان ایجاد", "۱۴۰۵/۰۸/۲۹ ۰۹:۳۰"),
        ("زمان انقضای توکن", "۱۴۰۵/۱۰/۲۰ ۰۹:۳۰"),
    ):
        assert label in page and shown in page, label
    assert not GREGORIAN.search(page)
    # each time once, in its own row: not the Gregorian one and a Jalali copy «… (شمسی)» beside it
    assert "زمان آخرین قرائت (شمسی)" not in page and page.count("۱۴۰۵/۰۹/۱۳ ۰۹:۳۰") == 1
