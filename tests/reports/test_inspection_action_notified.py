"""An inspection's follow-up action reaches the responsible office: its staff find it on their bell, in
their language, and the notification opens the action's page where they mark it done."""

import datetime as dt

import pytest
from django.utils import timezone
from django.utils.translation import override

from accounts.models import Role
from core.text import strip_isolates
from notifications.models import Kind, Notification
from reports import services
from reports.models import InspectionAction
from tests.factories import OfficeFactory, UserFactory
from tests.reports.test_inspection_actions import ALL_YES, _form, jday

pytestmark = pytest.mark.django_db
PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def test_an_action_set_in_the_inspection_form_reaches_the_responsible_offices_staff(
    client, inspector, bazargan, west_az, origin_clerk
):
    maku = OfficeFactory(code="MKU", name_fa="گمرک ماکو", name_en="Maku", province=west_az)
    maku_clerk = UserFactory(username="maku_clerk", role=Role.OFFICE, office=maku)
    due = timezone.localdate() + dt.timedelta(days=14)
    client.force_login(inspector)
    resp = client.post(
        "/reports/inspections/new/",
        _form(
            bazargan,
            **{
                "actions-0-description": "نصب دوربین دوم در ورودی",
                "actions-0-responsible_office": maku.pk,
                "actions-0-due_on": jday(due),
            },
        ),
    )
    assert resp.status_code == 302, resp.content.decode()[-2000:]
    action = InspectionAction.objects.get()
    # The responsible office is told; neither the inspected office nor the inspector who asked.
    assert not Notification.objects.filter(user__in=[inspector, origin_clerk]).exists()
    note = Notification.objects.get(user=maku_clerk)
    assert note.kind == Kind.INSPECTION_ACTION

    client.force_login(maku_clerk)
    page = client.get("/notifications/").content.decode()
    with override("fa"):
        title = strip_isolates(note.title_text())
    assert title == f"اقدام پیگیری بازرسی گمرک بازرگان، مهلت {jday(due).translate(PERSIAN_DIGITS)}"
    assert "Follow-up action of the inspection of" in page and "نصب دوربین دوم در ورودی" in page
    opened = client.get(f"/notifications/{note.pk}/open/")
    assert opened.status_code == 302 and opened["Location"] == f"/reports/actions/{action.pk}/done/"
    shown = client.get(opened["Location"])
    assert shown.status_code == 200 and "نصب دوربین دوم در ورودی" in shown.content.decode()


def test_an_action_added_on_the_inspection_page_reaches_the_office_too_in_english(
    client, inspector, bazargan, origin_clerk
):
    origin_clerk.language = "en"
    origin_clerk.save()
    inspection = services.inspection_record(
        office=bazargan, by=inspector, inspected_on=timezone.localdate() - dt.timedelta(days=3), checklist=ALL_YES
    )
    due = timezone.localdate() + dt.timedelta(days=5)
    services.inspection_action_add(
        inspection=inspection, by=inspector, action=services.ActionInput("Train the night shift", bazargan, due)
    )
    note = Notification.objects.get(user=origin_clerk)
    with override("en"):
        assert strip_isolates(note.title_text()) == f"Follow-up action of the inspection of Bazargan, due {jday(due)}"
