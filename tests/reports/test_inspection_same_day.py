"""A second inspection of an office on a date it was already inspected (by the same province) is refused
beside the date, naming and linking the first, with a box «بازرسی دوم همان روز است» that, ticked, records it;
the service refuses it inside its transaction unless told it is a second visit. The exact repeat stays refused
even with the box ticked."""

import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone

from accounts.models import Role
from reports import services
from reports.models import Inspection
from tests.factories import UserFactory
from tests.reports.test_inspection_actions import ALL_YES, _form

pytestmark = pytest.mark.django_db


def test_the_same_office_and_date_is_refused_beside_the_date_then_recorded_when_ticked(client, bazargan, inspector):
    today = timezone.localdate()
    first = services.inspection_record(office=bazargan, by=inspector, inspected_on=today, checklist=ALL_YES)
    client.force_login(inspector)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fa"
    data = _form(bazargan, findings="بازدید عصر")
    refused = client.post("/reports/inspections/new/", data)
    assert refused.status_code == 409
    assert Inspection.objects.count() == 1
    form = refused.context["form"]
    [error] = form.errors["inspected_on"]
    assert "این گمرک در این تاریخ یک بار بازرسی شده است" in error
    page = refused.content.decode()
    assert f'href="/reports/inspections/{first.pk}/"' in page
    assert 'name="second_of_day"' in page
    assert "بازرسی دوم همان روز است" in page

    ticked = client.post("/reports/inspections/new/", {**data, "second_of_day": "on"})
    assert ticked.status_code == 302
    assert Inspection.objects.count() == 2


def test_the_box_is_not_offered_before_a_refusal(client, bazargan, inspector):
    client.force_login(inspector)
    assert 'name="second_of_day"' not in client.get("/reports/inspections/new/").content.decode()


def test_the_service_refuses_another_inspector_of_the_province_unless_a_second_visit(bazargan, inspector, west_az):
    today = timezone.localdate()
    first = services.inspection_record(office=bazargan, by=inspector, inspected_on=today, checklist=ALL_YES)
    colleague = UserFactory(username="colleague", role=Role.INSPECTOR, province=west_az)
    with pytest.raises(services.InspectionSameDay) as refused:
        services.inspection_record(office=bazargan, by=colleague, inspected_on=today, checklist=ALL_YES, findings="b")
    assert refused.value.inspection == first
    assert refused.value.fields == {"inspected_on": "same day"}
    services.inspection_record(
        office=bazargan, by=colleague, inspected_on=today, checklist=ALL_YES, findings="b", second_of_day=True
    )
    # Another date is another inspection, without a word.
    services.inspection_record(
        office=bazargan, by=inspector, inspected_on=today - dt.timedelta(days=1), checklist=ALL_YES
    )
    assert Inspection.objects.count() == 3


def test_the_exact_repeat_stays_refused_with_the_box_ticked(bazargan, inspector):
    today = timezone.localdate()
    services.inspection_record(office=bazargan, by=inspector, inspected_on=today, checklist=ALL_YES, findings="x")
    with pytest.raises(services.InspectionAlreadyRecorded):
        services.inspection_record(
            office=bazargan, by=inspector, inspected_on=today, checklist=ALL_YES, findings="x", second_of_day=True
        )
    assert Inspection.objects.count() == 1
