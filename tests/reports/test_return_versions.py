"""One month's return for one scope, built more than once: only the newest version may be submitted.

Building again while a draft exists says so, and the new build replaces the draft (marked replaced, never
submitted); a submitted version that a newer submitted one takes the place of says so on its page, in the
list and in the API, its files untouched; the changes that come later attach to the newest submitted."""

import datetime as dt

import pytest
from django.utils import timezone

from core.dates import jalali_month_bounds, jalali_month_of, previous_jalali_month
from declarations import services as declaration_services
from declarations.models import Status
from reports import services
from reports.models import LateChange, MonthlyReturn, ReturnStatus
from tests.factories import DeclarationFactory
from tests.reports.test_return_submit_confirmed import CONFIRMED

pytestmark = pytest.mark.django_db
YEAR, MONTH = 1404, 5
S, E = jalali_month_bounds(YEAR, MONTH)


@pytest.fixture
def data(bazargan, tehran):
    DeclarationFactory(
        origin=bazargan, destination=tehran, declared_at=S + dt.timedelta(days=1), status=Status.REGISTERED
    )


def _build(client) -> MonthlyReturn:
    response = client.post("/reports/", {"year": YEAR, "month": MONTH, "province": ""}, follow=True)
    assert response.status_code == 200
    return MonthlyReturn.objects.order_by("-version").first(), response.content.decode()


def _files(snap: MonthlyReturn) -> tuple:
    snap.refresh_from_db()
    return (snap.xlsx.name, snap.pdf.name, snap.csv.name, snap.xlsx_sha256, snap.pdf_sha256, snap.csv_sha256)


@pytest.mark.persian
def test_building_again_over_a_draft_says_so_and_the_replaced_draft_cannot_be_submitted(client, data, hq):
    client.force_login(hq)
    v1, _page = _build(client)
    v2, page = _build(client)
    assert (v1.version, v2.version) == (1, 2)
    assert "پیش‌نویس نسخهٔ ۱ این گزارش وجود داشت" in page  # told that a draft exists, and that it is replaced

    v1.refresh_from_db()
    assert v1.status == ReturnStatus.REPLACED
    first = client.get(f"/reports/returns/{v1.pk}/").content.decode()
    assert "جایگزین‌شده با نسخهٔ ۲" in first and "ارسال به ستاد" not in first
    assert "جایگزین‌شده با نسخهٔ ۲" in client.get("/reports/").content.decode()

    refused = client.post(f"/reports/returns/{v1.pk}/submit/", CONFIRMED, follow=True).content.decode()
    assert "نسخهٔ ۲" in refused and "فقط جدیدترین نسخه" in refused
    v1.refresh_from_db()
    assert v1.status == ReturnStatus.REPLACED and v1.submitted_at is None

    client.post(f"/reports/returns/{v2.pk}/submit/", CONFIRMED)
    v2.refresh_from_db()
    assert v2.status == ReturnStatus.SUBMITTED


def test_an_older_draft_is_refused_when_a_newer_version_exists(data, hq):
    """Two drafts side by side (built before drafts were replaced): the older one names the newer."""
    v1 = services.return_build(year=YEAR, month=MONTH, province=None, by=hq)
    v2 = services.return_build(year=YEAR, month=MONTH, province=None, by=hq)
    MonthlyReturn.objects.filter(pk=v1.pk).update(status=ReturnStatus.DRAFT)
    with pytest.raises(services.IllegalTransition, match="version 2"):
        services.return_submit(monthly_return=v1, by=hq)
    assert MonthlyReturn.objects.filter(status=ReturnStatus.SUBMITTED).count() == 0
    assert services.return_submit(monthly_return=v2, by=hq).status == ReturnStatus.SUBMITTED


@pytest.mark.persian
def test_a_submitted_version_that_a_newer_submitted_one_replaces_says_so_its_files_untouched(client, data, hq):
    client.force_login(hq)
    v1, _page = _build(client)
    client.post(f"/reports/returns/{v1.pk}/submit/", CONFIRMED)
    files = _files(v1)
    v2, page = _build(client)
    assert "پیش‌نویس نسخهٔ" not in page  # v1 was submitted, not a draft: nothing replaced
    first = client.get(f"/reports/returns/{v1.pk}/").content.decode()
    assert "جایگزین‌شده با نسخهٔ" not in first  # v2 is only a draft: v1 still counts

    client.post(f"/reports/returns/{v2.pk}/submit/", CONFIRMED)
    first = client.get(f"/reports/returns/{v1.pk}/").content.decode()
    assert "جایگزین‌شده با نسخهٔ ۲" in first
    listing = client.get("/reports/").content.decode()
    assert listing.count("جایگزین‌شده با نسخهٔ ۲") == 1
    assert "جایگزین‌شده با نسخهٔ" not in client.get(f"/reports/returns/{v2.pk}/").content.decode()
    v1.refresh_from_db()
    assert v1.status == ReturnStatus.SUBMITTED and _files(v1) == files


def test_the_api_names_the_replaced_draft_and_the_version_that_takes_each_ones_place(client, data, hq):
    client.force_login(hq)
    first = client.post("/api/reports/returns/build/", {"year": YEAR, "month": MONTH})
    assert first.status_code == 202 and first.json()["replaces"] is None
    v1 = MonthlyReturn.objects.get()
    second = client.post("/api/reports/returns/build/", {"year": YEAR, "month": MONTH})
    assert second.status_code == 202
    assert second.json()["replaces"] == {"id": v1.pk, "version": 1}
    assert "version 1" in second.json()["detail"]
    listed = {r["version"]: r for r in client.get("/api/reports/returns/").json()["results"]}
    assert (listed[1]["status"], listed[1]["replaced_by"]) == ("replaced", 2)
    assert (listed[2]["status"], listed[2]["replaced_by"]) == ("draft", None)
    assert client.get(f"/api/reports/returns/{v1.pk}/").json()["replaced_by"] == 2


def test_late_changes_attach_to_the_newest_submitted_version(hq, bazargan, tehran):
    year, month = previous_jalali_month(*jalali_month_of(timezone.now()))
    start = jalali_month_bounds(year, month)[0]
    arrived = DeclarationFactory(
        origin=bazargan,
        destination=tehran,
        declared_at=start + dt.timedelta(days=1),
        departed_at=start + dt.timedelta(days=1, hours=2),
        arrived_at=start + dt.timedelta(days=3),
        status=Status.ARRIVED,
    )
    v1 = services.return_build(year=year, month=month, province=None, by=hq)
    v1 = services.return_submit(monthly_return=v1, by=hq)
    v2 = services.return_submit(
        monthly_return=services.return_build(year=year, month=month, province=None, by=hq), by=hq
    )
    declaration_services.declaration_settle(declaration=arrived, by=None, at=start + dt.timedelta(days=19))
    [late] = LateChange.objects.all()
    assert late.monthly_return == v2


def test_the_trend_draws_a_month_as_submitted_not_a_newer_draft(client, data, hq, bazargan, tehran):
    client.force_login(hq)
    v1, _ = _build(client)
    client.post(f"/reports/returns/{v1.pk}/submit/", CONFIRMED)
    DeclarationFactory(
        origin=bazargan, destination=tehran, declared_at=S + dt.timedelta(days=2), status=Status.REGISTERED
    )
    v2, _ = _build(client)  # a newer draft with two new declarations, not submitted
    assert v2.version == 2 and v2.figures["new"] == 2
    trend = client.get("/api/reports/trend/").json()
    assert trend["labels"] == ["Mordad 1404"] and trend["series"]["new"] == [1]  # the figures sent to headquarters
    client.post(f"/reports/returns/{v2.pk}/submit/", CONFIRMED)
    assert client.get("/api/reports/trend/").json()["series"]["new"] == [2]
