"""The monthly return's section on reused scans: scans found in the month to be the same image as another
truck's scan, the reviews recorded in the month (explained, confirmed), and those not reviewed by the end;
by the province of the declaration's origin, on the page and in the CSV, XLSX and PDF."""

import datetime as dt
import io

import openpyxl
import pytest

from core.dates import jalali_month_bounds
from reports import exports, returns, services
from scans import reuse_reviews
from scans.models import Scan, ScanReuseReview, Stage
from tests.days import months_back_month
from tests.factories import DeclarationFactory
from tests.pdftext import norm, pdf_text
from tests.scans import images
from tests.scans.conftest import upload

pytestmark = pytest.mark.django_db
YEAR, MONTH = months_back_month()  # an ended month inside the months returns are built for
S, E = jalali_month_bounds(YEAR, MONTH)
DAY = dt.timedelta(days=1)


def _reuse(first, origin, clerk, seed: int, found_at: dt.datetime) -> Scan:
    """A declaration from ``origin`` whose origin scan is ``first``'s image, found at ``found_at``."""
    data = images.png(seed)
    upload(first, Stage.ORIGIN, clerk, data)
    other = DeclarationFactory(origin=origin, destination=first.destination)
    scan = upload(other, Stage.ORIGIN, clerk, data)
    Scan.objects.filter(pk=scan.pk).update(uploaded_at=found_at)
    return scan


def _review(scan: Scan, by, decision: str, at: dt.datetime) -> None:
    review = reuse_reviews.reuse_review(scan=scan, by=by, decision=decision, note="checked at the gate")
    ScanReuseReview.objects.filter(pk=review.pk).update(at=at)


@pytest.fixture
def month(bazargan, sarakhs, tehran, origin_clerk, hq):
    first = DeclarationFactory(origin=bazargan, destination=tehran)
    sarakhs_clerk = origin_clerk.__class__.objects.create(username="srk_clerk", role=origin_clerk.role, office=sarakhs)
    explained = _reuse(first, bazargan, origin_clerk, 51, S + DAY)
    confirmed = _reuse(first, bazargan, origin_clerk, 52, S + 2 * DAY)
    _reuse(first, bazargan, origin_clerk, 53, S + 3 * DAY)  # not reviewed
    reviewed_after = _reuse(first, bazargan, origin_clerk, 54, S + 4 * DAY)
    before = _reuse(first, bazargan, origin_clerk, 55, S - 5 * DAY)  # found last month, explained this month
    _reuse(first, bazargan, origin_clerk, 56, E + DAY)  # next month
    sarakhs_first = DeclarationFactory(origin=sarakhs, destination=tehran)
    _reuse(sarakhs_first, sarakhs, sarakhs_clerk, 57, S + DAY)  # another province
    _review(explained, hq, "explained", S + 2 * DAY)
    _review(confirmed, hq, "confirmed", S + 3 * DAY)
    _review(reviewed_after, hq, "explained", E + 2 * DAY)
    _review(before, hq, "explained", S + DAY)
    # The same truck's one pass scanned for two declarations is a note, not a reuse.
    same = DeclarationFactory(origin=bazargan, destination=tehran, vehicle=first.vehicle)
    upload(first, Stage.ORIGIN, origin_clerk, images.png(58))
    again = upload(same, Stage.ORIGIN, origin_clerk, images.png(58))
    Scan.objects.filter(pk=again.pk).update(uploaded_at=S + DAY)


def test_the_reuse_figures_of_a_month(month, west_az, khorasan):
    figures = returns.build_figures(YEAR, MONTH, west_az, now=E + 10 * DAY)
    # found: explained, confirmed, unreviewed, reviewed after the month; reviews: two explained, one confirmed;
    # not reviewed by the end: the unreviewed one and the one reviewed after the month.
    assert figures["scan_reuse"] == {"found": 4, "explained": 2, "confirmed": 1, "unreviewed_at_end": 2}
    assert figures["offices"]["BZG"]["scan_reuse"] == figures["scan_reuse"]
    assert returns.build_figures(YEAR, MONTH, khorasan, now=E + 10 * DAY)["scan_reuse"] == {
        "found": 1,
        "explained": 0,
        "confirmed": 0,
        "unreviewed_at_end": 1,
    }
    national = returns.build_figures(YEAR, MONTH, None, now=E + 10 * DAY)["scan_reuse"]
    assert national == {"found": 5, "explained": 2, "confirmed": 1, "unreviewed_at_end": 3}


def test_the_section_is_in_the_page_the_csv_the_workbook_and_the_pdf(client, month, west_az, inspector):
    snap = services.return_build(year=YEAR, month=MONTH, province=west_az, by=inspector)
    client.force_login(inspector)
    page = client.get(f"/reports/returns/{snap.pk}/").content.decode()
    assert 'id="scan-reuse"' in page
    assert "reused scans reviewed and confirmed (in the month)" in page
    csv_text = b"".join(client.get(f"/reports/returns/{snap.pk}/csv/").streaming_content).decode("utf-8-sig")
    assert "scan_reuse,found,تصویر اسکن تکراری کامیون دیگر (یافته‌شده در ماه)," in csv_text
    workbook = openpyxl.load_workbook(
        io.BytesIO(b"".join(client.get(f"/reports/returns/{snap.pk}/xlsx/").streaming_content))
    )
    rows = {row[0]: row[1] for row in workbook["خلاصه"].iter_rows(values_only=True)}
    assert rows["اسکن تکراری بررسی و تأییدشده (در ماه)"] == snap.figures["scan_reuse"]["confirmed"]
    text = pdf_text(exports.render_pdf(snap.figures))
    assert norm("اسکن تکراری بررسی‌نشده در پایان ماه") in text


def test_a_return_built_before_the_section_still_exports(month, west_az):
    figures = returns.build_figures(YEAR, MONTH, west_az, now=E + DAY)
    figures.pop("scan_reuse")
    assert not [r for r in exports.summary_rows(figures) if r[0] == "scan_reuse"]
