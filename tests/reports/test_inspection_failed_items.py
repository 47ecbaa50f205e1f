"""The inspections list names each checklist item the office failed as a failure («…نشده است»), not by the
item's positive sentence, which under «بندهای رعایت‌نشده» read as if the office had complied."""

import pytest
from django.utils import timezone

from reports import services
from reports.models import CHECKLIST

pytestmark = pytest.mark.django_db


@pytest.mark.persian
def test_the_list_says_what_the_office_failed(client, bazargan, inspector):
    services.inspection_record(
        office=bazargan,
        by=inspector,
        inspected_on=timezone.localdate(),
        checklist={**dict.fromkeys(CHECKLIST, "yes"), "origin_scans_uploaded": "no", "anpr_working": "no"},
        findings="اسکن‌های هفته گذشته بارگذاری نشده و دوربین ورودی خاموش است",
    )
    client.force_login(inspector)
    page = client.get("/reports/inspections/").content.decode()
    row = page.split('id="inspections"', 1)[1].split("</table>", 1)[0]
    assert "بندهای رعایت‌نشده" in row
    assert "تصاویر اسکن مبدأ بارگذاری نشده است" in row and "دوربین پلاک‌خوان فعال نیست" in row
    assert "بارگذاری شده است" not in row and "فعال است" not in row


def test_every_checklist_item_has_its_failure_in_english_too(bazargan, inspector):
    inspection = services.inspection_record(
        office=bazargan,
        by=inspector,
        inspected_on=timezone.localdate(),
        checklist=dict.fromkeys(CHECKLIST, "no"),
        findings="همه بندها رعایت نشده است",
    )
    assert inspection.failed_checks == [
        "origin scans not uploaded",
        "destination scan checks not done",
        "ANPR camera not working",
        "arrival confirmations not timely",
        "security measures on servers and workstations lacking",
    ]
