"""A month already submitted and built again: the new draft's page says which version was sent, when and by whom,
that submitting it takes that one's place, and which balance figures differ; the submitted version's page names
the newer draft."""

import datetime as dt

import pytest

from core.dates import jalali_month_bounds
from declarations.models import Status
from reports import services
from reports.models import Inspection
from tests.factories import DeclarationFactory

pytestmark = pytest.mark.django_db
S, E = jalali_month_bounds(1404, 7)  # Mehr 1404


@pytest.mark.persian
def test_the_new_draft_says_version_1_was_sent_and_what_changed(client, bazargan, tehran, hq):
    DeclarationFactory(
        origin=bazargan, destination=tehran, declared_at=S + dt.timedelta(days=1), status=Status.REGISTERED
    )
    v1 = services.return_submit(monthly_return=services.return_build(year=1404, month=7, province=None, by=hq), by=hq)
    DeclarationFactory(
        origin=bazargan, destination=tehran, declared_at=S + dt.timedelta(days=2), status=Status.REGISTERED
    )
    v2 = services.return_build(year=1404, month=7, province=None, by=hq)
    client.force_login(hq)

    page = client.get(f"/reports/returns/{v2.pk}/").content.decode()
    assert "نسخهٔ ۱ این ماه در" in page and "فرستادن این نسخه جای آن را می‌گیرد" in page
    assert f"به دست {hq.username}" in page
    assert f'href="/reports/returns/{v1.pk}/"' in page
    changes = page[page.index('id="changes-since-submitted"') :].split("</table>")[0]
    assert "<td>اظهارنامه‌های جدید</td><td>۱</td><td>۲</td>" in changes
    assert "مانده اول ماه" not in changes  # unchanged figures are not repeated
    assert "نهایی کردن به جای نسخهٔ ۱" in page  # the national return is headquarters' own

    first = client.get(f"/reports/returns/{v1.pk}/").content.decode()
    assert "پیش‌نویس تازه‌تری از این ماه، نسخهٔ ۲" in first and f'href="/reports/returns/{v2.pk}/"' in first


@pytest.mark.persian
def test_a_first_version_has_no_such_note(client, bazargan, tehran, hq):
    snap = services.return_build(year=1404, month=7, province=None, by=hq)
    client.force_login(hq)
    page = client.get(f"/reports/returns/{snap.pk}/").content.decode()
    assert 'id="submitted-before"' not in page and 'id="newer-draft"' not in page


@pytest.mark.persian
def test_an_inspection_added_with_the_balance_unchanged_is_listed_not_said_equal(client, bazargan, inspector, hq):
    v1 = services.return_submit(monthly_return=services.return_build(year=1404, month=7, province=None, by=hq), by=hq)
    Inspection.objects.create(
        office=bazargan, inspector=inspector, inspected_on=(S + dt.timedelta(days=3)).date(), origin_scans_uploaded="yes",
        destination_checks_done="yes", anpr_working="yes", arrivals_timely="yes", security_measures="yes",
    )  # fmt: skip
    v2 = services.return_build(year=1404, month=7, province=None, by=hq)
    assert v1.figures["closing"] == v2.figures["closing"]
    client.force_login(hq)

    page = client.get(f"/reports/returns/{v2.pk}/").content.decode()
    assert "ارقام تراز با نسخهٔ" not in page and "همهٔ ارقام با نسخهٔ" not in page
    changes = page[page.index('id="changes-since-submitted"') :].split("</table>")[0]
    assert "<td>بازرسی‌های انجام‌شده</td><td>۰</td><td>۱</td>" in changes
    assert "اظهارنامه‌های جدید" not in changes


@pytest.mark.persian
def test_a_version_built_again_with_nothing_changed_says_every_figure_is_the_same(client, hq):
    services.return_submit(monthly_return=services.return_build(year=1404, month=7, province=None, by=hq), by=hq)
    v2 = services.return_build(year=1404, month=7, province=None, by=hq)
    client.force_login(hq)
    page = client.get(f"/reports/returns/{v2.pk}/").content.decode()
    assert "همهٔ ارقام با نسخهٔ ۱ یکی است." in page and 'id="changes-since-submitted"' not in page
