"""The same inspection sent twice (a double press, a retry) is recorded once: the second is refused with a link
to the first, as a repeated system problem is. Findings are capped as a problem's description is (4,000
characters), beside the field on the page and named by the service."""

import datetime as dt

import pytest
from django.utils import timezone

from core.errors import InvalidInput
from reports import services
from reports.models import Inspection
from tests.reports.test_inspection_actions import ALL_YES, _form

pytestmark = pytest.mark.django_db


def test_the_same_inspection_a_minute_later_is_refused_with_a_link_to_the_first(client, bazargan, inspector):
    client.force_login(inspector)
    data = _form(bazargan, findings="پلمپ‌ها بررسی شد", anpr_working="no")
    first = client.post("/reports/inspections/new/", data)
    assert first.status_code == 302
    [inspection] = Inspection.objects.all()
    Inspection.objects.update(created_at=timezone.now() - dt.timedelta(minutes=1))  # sent a minute ago
    again = client.post("/reports/inspections/new/", data)
    assert again.status_code == 409
    assert f'href="/reports/inspections/{inspection.pk}/"' in again.content.decode()
    assert Inspection.objects.count() == 1


def test_with_other_answers_it_is_another_inspection_but_not_after_ten_minutes(bazargan, inspector):
    today = timezone.localdate()
    services.inspection_record(office=bazargan, by=inspector, inspected_on=today, checklist=ALL_YES)
    with pytest.raises(services.InspectionAlreadyRecorded):
        services.inspection_record(office=bazargan, by=inspector, inspected_on=today, checklist=ALL_YES)
    services.inspection_record(  # a second visit that day, said so (``test_inspection_same_day``)
        office=bazargan,
        by=inspector,
        inspected_on=today,
        checklist={**ALL_YES, "anpr_working": "na"},
        second_of_day=True,
    )
    Inspection.objects.update(created_at=timezone.now() - dt.timedelta(minutes=11))
    with pytest.raises(services.InspectionAlreadyRecorded):  # the same record however late (office, day, findings)
        services.inspection_record(office=bazargan, by=inspector, inspected_on=today, checklist=ALL_YES)
    assert Inspection.objects.count() == 2


def test_findings_over_4000_characters_are_refused_beside_the_field(client, bazargan, inspector):
    client.force_login(inspector)
    response = client.post("/reports/inspections/new/", _form(bazargan, findings="x" * 30_000))
    assert response.status_code == 400
    beside = response.content.decode().split('name="findings"', 1)[1].split("</textarea>", 1)[1][:1000]
    assert "invalid-feedback" in beside and "4000" in beside.replace(",", ""), beside
    with pytest.raises(InvalidInput) as caught:
        services.inspection_record(
            office=bazargan, by=inspector, inspected_on=timezone.localdate(), checklist=ALL_YES, findings="x" * 4001
        )
    assert "findings" in caught.value.fields
    assert not Inspection.objects.exists()
