"""An inspection recorded into a month whose return was already submitted: the return's «inspections done» no
longer matches the data, so it is a late change of that return, named on its page (office, Jalali day, a link
for whoever may open it) and in the API, scoped as the return is; into a month not submitted it is nothing."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Role
from core.dates import TEHRAN, format_jalali, jalali_month_bounds, jalali_month_of, previous_jalali_month
from notifications.models import Kind, Notification
from reports import services
from reports.models import CHECKLIST, INSPECTED, Inspection, LateChange, MonthlyReturn, ReturnStatus
from tests.factories import DeclarationFactory, OfficeFactory, UserFactory

pytestmark = pytest.mark.django_db

ALL_YES = dict.fromkeys(CHECKLIST, "yes")


def _last_month() -> tuple[int, int]:
    return previous_jalali_month(*jalali_month_of(timezone.now()))


def _day_of(year: int, month: int, n: int) -> dt.date:
    """The ``n``-th day of the Jalali month (1-based)."""
    return jalali_month_bounds(year, month)[0].astimezone(TEHRAN).date() + dt.timedelta(days=n - 1)


@pytest.fixture
def sent(inspector, west_az, bazargan):
    """Last month's West Azerbaijan return, built and submitted by the province's inspector."""
    year, month = _last_month()
    snap = services.return_build(year=year, month=month, province=west_az, by=inspector)
    return services.return_submit(monthly_return=snap, by=inspector)


def _post_inspection(client, office, on: dt.date):
    data = {"office": office.pk, "inspected_on": format_jalali(on, persian=False), "findings": "", **ALL_YES}
    response = client.post("/reports/inspections/new/", data)
    assert response.status_code == 302, response.content.decode()[:500]
    return Inspection.objects.get(office=office, inspected_on=on)


@pytest.mark.persian
def test_an_inspection_recorded_into_a_submitted_month_is_one_late_change_on_the_returns_page(
    client, hq, inspector, sent, bazargan
):
    on = _day_of(sent.year, sent.month, 10)
    client.force_login(inspector)
    inspection = _post_inspection(client, bazargan, on)

    [late] = LateChange.objects.all()
    assert (late.monthly_return, late.inspection, late.declaration, late.what) == (sent, inspection, None, INSPECTED)
    assert late.by == inspector
    assert Notification.objects.filter(user=hq, kind=Kind.RETURN_LATE_CHANGE).count() == 1

    page = client.get(f"/reports/returns/{sent.pk}/").content.decode()
    assert "پس از ارسال، ۱ تغییر در دورهٔ این گزارش ثبت شد" in page
    assert "بازرسی ثبت شد" in page and "ساخت نسخهٔ جدید" in page
    # Named by its office and Jalali day (Persian digits), with a link to it.
    row = page[page.index('class="late-inspection"') :]
    row = row[: row.index("</tr>")]
    assert "گمرک بازرگان" in row and format_jalali(on) in row
    assert f'href="/reports/inspections/{inspection.pk}/"' in row
    # The list of returns counts it too.
    assert "پس از ارسال، ۱ تغییر در دورهٔ این گزارش ثبت شد" in client.get("/reports/").content.decode()

    # The submitted return is evidence: its figures stay as sent; a new version counts the inspection.
    assert MonthlyReturn.objects.get(pk=sent.pk).figures["inspections"]["done"] == 0
    rebuilt = services.return_build(year=sent.year, month=sent.month, province=sent.province, by=inspector)
    assert rebuilt.figures["inspections"]["done"] == 1


def test_an_inspection_into_a_month_not_submitted_is_no_late_change(client, inspector, west_az, bazargan):
    year, month = _last_month()
    draft = services.return_build(year=year, month=month, province=west_az, by=inspector)
    client.force_login(inspector)
    _post_inspection(client, bazargan, _day_of(year, month, 10))
    # This month's, with no return at all.
    services.inspection_record(office=bazargan, by=inspector, inspected_on=timezone.localdate(), checklist=ALL_YES)
    assert not LateChange.objects.exists()
    assert not Notification.objects.filter(kind=Kind.RETURN_LATE_CHANGE).exists()
    assert draft.status == ReturnStatus.DRAFT


def test_an_inspection_of_another_province_is_no_late_change_of_this_ones_return(hq, sent, sarakhs):
    services.inspection_record(
        office=sarakhs, by=hq, inspected_on=_day_of(sent.year, sent.month, 10), checklist=ALL_YES
    )
    assert not LateChange.objects.exists()


def test_office_staff_see_only_the_late_inspections_of_their_own_office(client, inspector, west_az, bazargan):
    maku = OfficeFactory(code="MAK", name_fa="گمرک ماکو", name_en="Maku", province=west_az)
    clerk = UserFactory(username="bzg_clerk", role=Role.OFFICE, office=bazargan)
    year, month = _last_month()
    sent = services.return_submit(
        monthly_return=services.return_build(year=year, month=month, province=west_az, by=inspector), by=inspector
    )
    own = services.inspection_record(
        office=bazargan, by=inspector, inspected_on=_day_of(year, month, 5), checklist=ALL_YES
    )
    services.inspection_record(office=maku, by=inspector, inspected_on=_day_of(year, month, 6), checklist=ALL_YES)
    assert LateChange.objects.filter(monthly_return=sent).count() == 2

    client.force_login(clerk)
    page = client.get(f"/reports/returns/{sent.pk}/").content.decode()
    assert "After submission, 1 change was recorded in this return" in page
    assert "Bazargan" in page and f'href="/reports/inspections/{own.pk}/"' in page
    assert "Maku" not in page

    api = APIClient()
    api.force_authenticate(clerk)
    assert api.get(f"/api/reports/returns/{sent.pk}/").json()["late_changes_count"] == 1
    [change] = api.get(f"/api/reports/returns/{sent.pk}/late-changes/", HTTP_ACCEPT_LANGUAGE="en").json()["results"]
    assert (change["inspection"], change["declaration"], change["what"]) == (own.pk, None, "inspected")
    assert "Bazargan" in change["inspection_name"]
    assert format_jalali(own.inspected_on, persian=False) in change["inspection_name"]
    assert change["what_text"] == "inspection recorded"


@pytest.mark.parametrize("subjects", ["both", "neither"])
def test_a_late_change_names_exactly_one_of_a_declaration_and_an_inspection(subjects, inspector, bazargan, tehran):
    year, month = _last_month()
    snap = MonthlyReturn.objects.create(year=year, month=month, version=1, sha256="0" * 64)
    declaration = DeclarationFactory(origin=bazargan, destination=tehran)
    inspection = Inspection.objects.create(
        office=bazargan, inspector=inspector, inspected_on=_day_of(year, month, 3), **ALL_YES
    )
    both = subjects == "both"
    with pytest.raises(IntegrityError), transaction.atomic():
        LateChange.objects.create(
            monthly_return=snap,
            declaration=declaration if both else None,
            inspection=inspection if both else None,
            serial=declaration.serial if both else "",
            what="created",
            status="registered",
            at=timezone.now(),
            source="user",
        )
