"""An inspection recorded again (the same office, date and findings, by the province that recorded it) is refused
however long after, with a message beside the form naming the first and linking to it; the service refuses it
inside its transaction, whichever of the province's inspectors sends it."""

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import Role
from reports import services
from reports.models import Inspection
from tests.factories import UserFactory
from tests.reports.test_inspection_actions import ALL_YES, _form

pytestmark = pytest.mark.django_db


def test_the_same_inspection_a_day_later_is_refused_beside_the_form(client, bazargan, inspector):
    client.force_login(inspector)
    data = _form(bazargan, findings="پلمپ‌ها بررسی شد")
    assert client.post("/reports/inspections/new/", data).status_code == 302
    [first] = Inspection.objects.all()
    Inspection.objects.update(created_at=timezone.now() - dt.timedelta(days=1))
    again = client.post("/reports/inspections/new/", data)
    assert again.status_code == 409
    page = again.content.decode()
    assert f'href="/reports/inspections/{first.pk}/"' in page
    assert Inspection.objects.count() == 1


def test_another_inspector_of_the_province_is_refused_too(bazargan, inspector, west_az):
    today = timezone.localdate()
    services.inspection_record(office=bazargan, by=inspector, inspected_on=today, checklist=ALL_YES, findings="x y")
    Inspection.objects.update(created_at=timezone.now() - dt.timedelta(hours=3))
    colleague = UserFactory(username="colleague", role=Role.INSPECTOR, province=west_az)
    with pytest.raises(services.InspectionAlreadyRecorded):
        services.inspection_record(office=bazargan, by=colleague, inspected_on=today, checklist=ALL_YES, findings="x y")
    # Another day, other findings (a second visit that day, said so) or another recorder (headquarters) is
    # another inspection.
    services.inspection_record(
        office=bazargan, by=inspector, inspected_on=today - dt.timedelta(days=1), checklist=ALL_YES, findings="x y"
    )
    services.inspection_record(
        office=bazargan, by=inspector, inspected_on=today, checklist=ALL_YES, findings="z", second_of_day=True
    )
    hq = UserFactory(username="hq2", role=Role.HQ)
    services.inspection_record(office=bazargan, by=hq, inspected_on=today, checklist=ALL_YES, findings="x y")
    assert Inspection.objects.count() == 4
