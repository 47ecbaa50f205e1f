"""The admin lists outside the authenticator devices one (backup codes, login attempts, plate labels, monthly
returns) speak the page's language: translated headers, Jalali dates and numbers in Persian digits on a
Persian page, and no filter by Gregorian date."""

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice

from accounts.models import User
from anpr import services as anpr_services
from anpr.models import PlateLabel, PlateRead
from reports.models import MonthlyReturn

ADDED = dt.datetime(2025, 3, 10, 6, 0, tzinfo=dt.UTC)  # 1403/12/20 09:30 in Tehran


@pytest.fixture
def admin_client(client, hq):
    User.objects.filter(pk=hq.pk).update(is_staff=True, is_superuser=True)
    client.force_login(User.objects.get(pk=hq.pk))
    return client


def _list(admin_client, name: str) -> str:
    response = admin_client.get(reverse(f"admin:{name}_changelist"))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.persian
def test_the_backup_codes_list_speaks_persian_with_jalali_dates(admin_client, hq):
    device = StaticDevice.objects.create(user=hq, name="recovery codes", confirmed=True)
    StaticDevice.objects.filter(pk=device.pk).update(created_at=ADDED, last_used_at=ADDED + dt.timedelta(days=1))
    page = _list(admin_client, "otp_static_staticdevice")
    for header in ("کاربر", "نام دستگاه", "تاریخ ایجاد", "آخرین استفاده", "تأییدشده"):
        assert f">{header}</a>" in page, header
    assert "۱۴۰۳/۱۲/۲۰ ۰۹:۳۰" in page and "۱۴۰۳/۱۲/۲۱ ۰۹:۳۰" in page
    assert "2025" not in page and "مارس" not in page
    assert "created at" not in page and "last used at" not in page and "براساس تأییدشده" in page
    assert "Search by user" not in page and "جستجو با نام کاربری یا نشانی ایمیل کاربر" in page


@pytest.mark.persian
def test_the_login_attempts_list_speaks_persian_with_jalali_dates(admin_client):
    attempt = AccessAttempt.objects.create(
        username="bazargan.clerk", ip_address="10.1.2.3", user_agent="Firefox", path_info="/accounts/login/",
        http_accept="*/*", get_data="", post_data="", failures_since_start=12,
    )  # fmt: skip
    AccessAttempt.objects.filter(pk=attempt.pk).update(attempt_time=ADDED)
    page = _list(admin_client, "axes_accessattempt")
    for header in ("زمان تلاش", "نشانی IP", "مرورگر (user agent)", "نام کاربری", "مسیر", "ورودهای ناموفق"):
        assert f">{header}</a>" in page, header
    for english in ("Attempt Time", "IP Address", "User Agent", ">Path<", "Failed Logins", "Attempt time"):
        assert english not in page, english
    assert "۱۴۰۳/۱۲/۲۰ ۰۹:۳۰" in page and '<td class="field-failures_since_start_number">۱۲</td>' in page
    assert "2025" not in page and "مارس" not in page
    assert "براساس مسیر" in page and "جستجو با نشانی IP، نام کاربری، مرورگر یا مسیر" in page


@pytest.mark.persian
def test_the_plate_labels_list_shows_jalali_dates_and_persian_numbers(admin_client, tehran, inspector):
    camera, _token = anpr_services.camera_register(office=tehran, code="THR-CAM-1", direction="in")
    read = PlateRead.objects.create(
        camera=camera, office=tehran, captured_at=ADDED, received_at=ADDED, plate="12ب34567", recognition="camera"
    )
    label = PlateLabel.objects.create(
        read=read, camera=camera, office=tehran, captured_at=ADDED, plate="12ب34568", country="IR",
        corrected=True, reason="other", by=inspector, at=ADDED,
    )  # fmt: skip
    page = _list(admin_client, "anpr_platelabel")
    assert ">ID</a>" not in page and ">شماره</a>" in page and ">زمان</a>" in page
    assert f">{str(label.pk).translate(str.maketrans('0123456789', '۰۱۲۳۴۵۶۷۸۹'))}</a>" in page
    assert "۱۴۰۳/۱۲/۲۰ ۰۹:۳۰" in page and "2025" not in page and "مارس" not in page


@pytest.mark.persian
def test_the_monthly_returns_list_writes_its_numbers_in_persian_digits(admin_client, west_az):
    MonthlyReturn.objects.create(year=1404, month=5, province=west_az, version=2, sha256="e" * 64, unsettled_count=37)
    page = _list(admin_client, "reports_monthlyreturn")
    assert ">۱۴۰۴</a>" in page  # the year links to the return
    for cell in ('month_number">۵<', 'version_number">۲<', 'unsettled_count_number">۳۷<'):
        assert cell in page, cell
    assert ">1404<" not in page and ">37<" not in page
    assert ">زمان تهیه</a>" in page and ">سال (شمسی)</a>" in page


def test_the_login_attempts_list_stays_english_on_english_pages(admin_client):
    AccessAttempt.objects.create(
        username="x", ip_address="10.1.2.3", user_agent="Firefox", path_info="/accounts/login/", http_accept="*/*",
        get_data="", post_data="", failures_since_start=3,
    )  # fmt: skip
    page = _list(admin_client, "axes_accessattempt")
    for header in ("Attempt time", "IP address", "Browser (user agent)", "Username", "Path", "Failed logins"):
        assert f">{header}</a>" in page, header
