"""A submitted return that the data has since moved away from: an ICS import added a declaration declared in
the submitted month. The import stays accepted (the record of truth); the return stays as it was sent; its page
and the returns list say how many changes came since, with the list; headquarters is told once a day."""

import datetime as dt

import pytest
from django.utils import timezone

from core.dates import jalali_month_bounds, jalali_month_of, previous_jalali_month
from declarations import services as declaration_services
from declarations.importer import import_rows
from declarations.models import TransitDeclaration
from notifications.models import Kind, Notification
from reports import services
from reports.models import LateChange, MonthlyReturn, ReturnStatus

pytestmark = pytest.mark.django_db


def _row(serial: str, declared_at: dt.datetime) -> dict:
    from core.dates import format_jalali

    return {
        "serial": serial,
        "declared_at": format_jalali(declared_at, persian=False),
        "origin": "BZG",
        "destination": "THR",
        "plate": "12 ب 345 ایران 65",
        "hs_code": "851713",
        "description": "گوشی تلفن همراه",
        "quantity": "100",
    }


@pytest.fixture
def sent(hq, bazargan, tehran):
    """Last month's national return, built and submitted by headquarters."""
    year, month = previous_jalali_month(*jalali_month_of(timezone.now()))
    snap = services.return_build(year=year, month=month, province=None, by=hq)
    return services.return_submit(monthly_return=snap, by=hq)


@pytest.mark.persian
def test_an_import_into_a_submitted_month_shows_one_late_change_and_tells_hq_once(client, hq, sent):
    before = (sent.figures, sent.sha256, sent.xlsx_sha256, sent.pdf_sha256)
    middle = jalali_month_bounds(sent.year, sent.month)[0] + dt.timedelta(days=14)
    summary = import_rows([(2, _row("ICS-LATE-1", middle))], source_ref="ICS export", by=None)
    assert summary.created == 1 and not summary.rejected  # the record of truth stays accepted

    [late] = LateChange.objects.all()
    assert (late.monthly_return, late.serial, late.what, late.at) == (sent, "ICS-LATE-1", "created", middle)
    assert Notification.objects.filter(user=hq, kind=Kind.RETURN_LATE_CHANGE).count() == 1

    client.force_login(hq)
    page = client.get(f"/reports/returns/{sent.pk}/").content.decode()
    assert "پس از ارسال، ۱ تغییر در دورهٔ این گزارش ثبت شد" in page
    assert "ICS-LATE-1" in page and "ساخت نسخهٔ جدید" in page
    listing = client.get("/reports/").content.decode()
    assert "پس از ارسال، ۱ تغییر در دورهٔ این گزارش ثبت شد" in listing

    # A second one the same day: two changes listed, still one notice.
    import_rows([(2, _row("ICS-LATE-2", middle))], source_ref="ICS export", by=None)
    assert LateChange.objects.count() == 2
    assert Notification.objects.filter(user=hq, kind=Kind.RETURN_LATE_CHANGE).count() == 1
    page = client.get(f"/reports/returns/{sent.pk}/").content.decode()
    assert "پس از ارسال، ۲ تغییر در دورهٔ این گزارش ثبت شد" in page

    # The submitted version is evidence: its figures and files are as they were sent.
    sent = MonthlyReturn.objects.get(pk=sent.pk)
    assert (sent.figures, sent.sha256, sent.xlsx_sha256, sent.pdf_sha256) == before
    assert sent.figures["new"] == 0


def test_a_change_outside_the_submitted_period_records_nothing(client, hq, sent, origin_clerk):
    now = timezone.now()
    import_rows([(2, _row("ICS-NOW-1", now - dt.timedelta(minutes=5)))], source_ref="ICS export", by=None)
    declaration_services.declaration_depart(
        declaration=TransitDeclaration.objects.get(serial="ICS-NOW-1"), by=origin_clerk
    )
    assert not LateChange.objects.exists()
    assert not Notification.objects.filter(kind=Kind.RETURN_LATE_CHANGE).exists()
    client.force_login(hq)
    page = client.get(f"/reports/returns/{sent.pk}/").content.decode()
    assert "After submission" not in page and 'id="late-changes"' not in page


def test_a_province_return_tells_its_inspector_and_not_the_other_province(
    hq, inspector, outsider, west_az, bazargan, tehran
):
    year, month = previous_jalali_month(*jalali_month_of(timezone.now()))
    snap = MonthlyReturn.objects.create(
        year=year, month=month, province=west_az, version=1, sha256="0" * 64, status=ReturnStatus.SUBMITTED
    )
    middle = jalali_month_bounds(year, month)[0] + dt.timedelta(days=3)
    import_rows([(2, _row("ICS-LATE-3", middle))], source_ref="ICS export", by=None)
    assert LateChange.objects.get().monthly_return == snap
    told = set(Notification.objects.filter(kind=Kind.RETURN_LATE_CHANGE).values_list("user__username", flat=True))
    assert told == {"hq", inspector.username}


def test_a_settlement_dated_inside_the_submitted_month_is_a_late_change_and_a_new_version_counts_it(
    client, hq, bazargan, tehran
):
    from declarations.models import Source, Status
    from tests.factories import DeclarationFactory

    year, month = previous_jalali_month(*jalali_month_of(timezone.now()))
    start = jalali_month_bounds(year, month)[0]
    arrived = DeclarationFactory(
        serial="ARR-1",
        origin=bazargan,
        destination=tehran,
        declared_at=start + dt.timedelta(days=1),
        departed_at=start + dt.timedelta(days=1, hours=2),
        arrived_at=start + dt.timedelta(days=3),
        status=Status.ARRIVED,
    )
    snap = services.return_build(year=year, month=month, province=None, by=hq)
    sent = services.return_submit(monthly_return=snap, by=hq)
    # ICS reports, later, that it was settled on the 20th of that month.
    declaration_services.declaration_settle(
        declaration=arrived, by=None, at=start + dt.timedelta(days=19), source=Source.ICS, source_ref="ICS export"
    )
    [late] = LateChange.objects.all()
    assert (late.monthly_return, late.serial, late.what, late.status) == (sent, "ARR-1", "settle", Status.SETTLED)
    client.force_login(hq)
    page = client.get(f"/reports/returns/{sent.pk}/").content.decode()
    assert "After submission, 1 change was recorded in this return" in page
    assert "status changed to settled" in page and "ICS export" in page
    # The button builds version 2 (the existing rebuild); version 1 stays as sent.
    assert client.post("/reports/", {"year": year, "month": month, "province": ""}).status_code == 302
    assert MonthlyReturn.objects.get(version=2).figures["settled"] == 1
    assert MonthlyReturn.objects.get(pk=sent.pk).figures["settled"] == 0
