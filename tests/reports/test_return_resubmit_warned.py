"""A month already submitted and built again: the new draft's page says which version was sent, when and by whom,
that submitting it takes that one's place, and which balance figures differ; the submitted version's page names
the newer draft."""

import datetime as dt

import pytest

from core.dates import jalali_month_bounds
from declarations.models import Status
from reports import services
from reports.models import Inspection
from tests.days import months_back_month
from tests.factories import DeclarationFactory

pytestmark = pytest.mark.django_db
YEAR, MONTH = months_back_month()  # an ended month inside the months returns are built for
S, E = jalali_month_bounds(YEAR, MONTH)


@pytest.mark.persian
def test_the_new_draft_says_version_1_was_sent_and_what_changed(client, bazargan, tehran, hq):
    DeclarationFactory(
        origin=bazargan, destination=tehran, declared_at=S + dt.timedelta(days=1), status=Status.REGISTERED
    )
    v1 = services.return_submit(
        monthly_return=services.return_build(year=YEAR, month=MONTH, province=None, by=hq), by=hq
    )
    DeclarationFactory(
        origin=bazargan, destination=tehran, declared_at=S + dt.timedelta(days=2), status=Status.REGISTERED
    )
    v2 = services.return_build(year=YEAR, month=MONTH, province=None, by=hq)
    client.force_login(hq)

    page = client.get(f"/reports/returns/{v2.pk}/").content.decode()
    assert "نسخهٔ ۱ این ماه در" in page and "فرستادن این نسخه جای آن را می‌گیرد" in page
    assert f"به‌دست {hq.username}" in page
    assert f'href="/reports/returns/{v1.pk}/"' in page
    changes = page[page.index('id="changes-since-submitted"') :].split("</table>")[0]
    assert "<td>اظهارنامه‌های جدید</td><td>۱</td><td>۲</td>" in changes
    assert "مانده اول ماه" not in changes  # unchanged figures are not repeated
    assert "نهایی کردن به جای نسخهٔ ۱" in page  # the national return is headquarters' own

    first = client.get(f"/reports/returns/{v1.pk}/").content.decode()
    assert "پیش‌نویس تازه‌تری از این ماه، نسخهٔ ۲" in first and f'href="/reports/returns/{v2.pk}/"' in first


@pytest.mark.persian
def test_a_first_version_has_no_such_note(client, bazargan, tehran, hq):
    snap = services.return_build(year=YEAR, month=MONTH, province=None, by=hq)
    client.force_login(hq)
    page = client.get(f"/reports/returns/{snap.pk}/").content.decode()
    assert 'id="submitted-before"' not in page and 'id="newer-draft"' not in page


@pytest.mark.persian
def test_an_inspection_added_with_the_balance_unchanged_is_listed_not_said_equal(client, bazargan, inspector, hq):
    v1 = services.return_submit(
        monthly_return=services.return_build(year=YEAR, month=MONTH, province=None, by=hq), by=hq
    )
    Inspection.objects.create(
        office=bazargan, inspector=inspector, inspected_on=(S + dt.timedelta(days=3)).date(), origin_scans_uploaded="yes",
        destination_checks_done="yes", anpr_working="yes", arrivals_timely="yes", security_measures="yes",
    )  # fmt: skip
    v2 = services.return_build(year=YEAR, month=MONTH, province=None, by=hq)
    assert v1.figures["closing"] == v2.figures["closing"]
    client.force_login(hq)

    page = client.get(f"/reports/returns/{v2.pk}/").content.decode()
    assert "ارقام تراز با نسخهٔ" not in page and "همهٔ ارقام با نسخهٔ" not in page
    changes = page[page.index('id="changes-since-submitted"') :].split("</table>")[0]
    assert "<td>بازرسی‌های انجام‌شده</td><td>۰</td><td>۱</td>" in changes
    assert "اظهارنامه‌های جدید" not in changes


@pytest.mark.persian
def test_a_version_built_again_with_nothing_changed_says_every_figure_is_the_same(client, hq):
    services.return_submit(monthly_return=services.return_build(year=YEAR, month=MONTH, province=None, by=hq), by=hq)
    v2 = services.return_build(year=YEAR, month=MONTH, province=None, by=hq)
    client.force_login(hq)
    page = client.get(f"/reports/returns/{v2.pk}/").content.decode()
    assert "همهٔ ارقام با نسخهٔ ۱ یکی است." in page and 'id="changes-since-submitted"' not in page


@pytest.mark.persian
def test_the_new_versions_pdf_says_it_takes_the_place_of_the_one_sent(bazargan, tehran, west_az, inspector):
    """Headquarters may read only the PDF: the letter of version 2 says version 1 was sent, when, and that
    this one takes its place once sent; version 1's letter says nothing of the kind."""
    from core.dates import format_jalali
    from tests.pdftext import pdf_text

    DeclarationFactory(
        origin=bazargan, destination=tehran, declared_at=S + dt.timedelta(days=1), status=Status.REGISTERED
    )
    v1 = services.return_build(year=YEAR, month=MONTH, province=west_az, by=inspector)
    v1 = services.return_submit(monthly_return=v1, by=inspector)
    v2 = services.return_build(year=YEAR, month=MONTH, province=west_az, by=inspector)
    with v1.pdf.open("rb") as f:
        first = pdf_text(f.read())
    with v2.pdf.open("rb") as f:
        second = pdf_text(f.read())
    # pdftotext gives the words in drawn order, joining the digits and the ZWNJ words apart: read by fragments.
    assert "جای آن را می" not in first
    sent = format_jalali(v1.submitted_at, with_time=False)
    line = next(row for row in second.splitlines() if "جای آن را می" in row)
    assert "۱" in line and "این گزارش در" in line
    assert sent in line and "به ستاد فرستاده شده است" in line and "فرستاده شود" in line and "۲" in line
