"""A submitted return replaced by a later submitted version: its late changes are counted by that version, so
its page links to the newest version instead of saying a new version would count them and offering to build one."""

import datetime as dt

import pytest
from django.utils import timezone

from core.dates import jalali_month_bounds, jalali_month_of, previous_jalali_month
from declarations.importer import import_rows
from reports import services
from tests.reports.test_return_late_changes import _row

pytestmark = pytest.mark.django_db


@pytest.mark.persian
def test_a_replaced_version_links_to_the_newest_and_offers_no_build(client, hq, bazargan, tehran):
    year, month = previous_jalali_month(*jalali_month_of(timezone.now()))
    first = services.return_submit(
        monthly_return=services.return_build(year=year, month=month, province=None, by=hq), by=hq
    )
    middle = jalali_month_bounds(year, month)[0] + dt.timedelta(days=14)
    import_rows([(2, _row("ICS-LATE-1", middle))], source_ref="ICS export", by=None)
    client.force_login(hq)
    page = client.get(f"/reports/returns/{first.pk}/").content.decode()
    assert "ساخت نسخهٔ جدید" in page  # nothing counts the change yet

    second = services.return_submit(
        monthly_return=services.return_build(year=year, month=month, province=None, by=hq), by=hq
    )
    page = client.get(f"/reports/returns/{first.pk}/").content.decode()
    late = page.split('id="late-changes"', 1)[1].split("</div>", 1)[0]
    assert "جایگزین‌شده با نسخهٔ ۲" in page and "ICS-LATE-1" in page
    assert "نسخهٔ جدید این تغییرها را می‌شمارد" not in late and "ساخت نسخهٔ جدید" not in page
    assert "نسخهٔ ۲ این تغییرها را می‌شمارد" in late
    assert f'href="/reports/returns/{second.pk}/"' in late and "تازه‌ترین نسخه (۲)" in late
