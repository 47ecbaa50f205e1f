"""The holidays list shows each holiday's date once, in Jalali (it had a Gregorian column and a drill-down by
Gregorian year and month beside the Jalali one); the plate labels list shows each plate as the pages do
(``declarations.idents``: «۱۲ ب ۳۴۵ - ایران ۶۸», isolated) and its nationality by name, not «12ب34568» and «IR»."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from accounts.models import User
from anpr import services as anpr_services
from anpr.models import PlateLabel, PlateRead
from core.models import Holiday

ADDED = dt.datetime(2025, 3, 10, 6, 0, tzinfo=dt.UTC)


@pytest.fixture
def admin_client(client, hq):
    User.objects.filter(pk=hq.pk).update(is_staff=True, is_superuser=True)
    client.force_login(User.objects.get(pk=hq.pk))
    return client


def _results(admin_client, name: str, query: str = "") -> str:
    response = admin_client.get(reverse(f"admin:{name}_changelist") + query)
    assert response.status_code == 200
    page = response.content.decode()
    return page


@pytest.mark.persian
def test_the_holidays_list_shows_the_jalali_date_only(admin_client):
    Holiday.objects.create(date=dt.date(2031, 3, 21), name="نوروز آزمایشی", lunar=False)
    page = _results(admin_client, "core_holiday", "?q=آزمایشی")
    table = re.search(r'<table id="result_list">.*?</table>', page, re.S)[0]
    assert "۱۴۱۰/۰۱/۰۱" in table and "نوروز آزمایشی" in table
    assert "2031" not in page and "مارس" not in page  # no Gregorian column, no drill-down by Gregorian year


@pytest.mark.persian
def test_the_plate_labels_list_shows_plates_as_the_pages_do(admin_client, tehran, inspector):
    camera, _token = anpr_services.camera_register(office=tehran, code="THR-CAM-1", direction="in")
    read = PlateRead.objects.create(
        camera=camera, office=tehran, captured_at=ADDED, received_at=ADDED, plate="12ب34567", recognition="camera"
    )
    PlateLabel.objects.create(
        read=read, camera=camera, office=tehran, captured_at=ADDED, plate="12ب34568", country="IR",
        plate_before="12ب34567", corrected=True, reason="other", by=inspector, at=ADDED,
    )  # fmt: skip
    page = _results(admin_client, "anpr_platelabel")
    table = re.search(r'<table id="result_list">.*?</table>', page, re.S)[0]
    assert '<bdi dir="rtl" class="ident ident-plate">۱۲ ب ۳۴۵ - ایران ۶۸</bdi>' in table
    assert '<bdi dir="rtl" class="ident ident-plate">۱۲ ب ۳۴۵ - ایران ۶۷</bdi>' in table
    assert "12ب34568" not in table and "12ب34567" not in table and ">IR<" not in table and ">ایران<" in table
    for header in (">پلاک</a>", ">تابعیت</a>", ">پلاک پیشین</a>"):
        assert header in page, header
