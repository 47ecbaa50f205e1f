"""Every date box refuses a Gregorian date the same way, saying to type the Jalali one: «از زمان» of a system
problem took «2026-12-01 10:00» silently while the inspection's date refused «2026-12-01»."""

import pytest

from core.dates import date_example, datetime_example, persian_digits
from reports.models import CHECKLIST, Inspection, SystemProblem
from tests.core.test_form_style import beside

pytestmark = pytest.mark.django_db


@pytest.mark.persian
def test_the_problems_since_refuses_a_gregorian_date_beside_it_saying_to_type_the_jalali_one(
    client, origin_clerk, bazargan
):
    client.force_login(origin_clerk)
    data = {
        "system": "ics",
        "symptom": "arrivals_not_visible",
        "office": bazargan.pk,
        "since": "2026-12-01 10:00",
        "description": "وصول‌ها دیده نمی‌شوند",
    }
    response = client.post("/reports/problems/new/", data)
    assert response.status_code == 400
    beside(
        response.content.decode(),
        "id_since",
        f"تاریخ میلادی است: تاریخ و ساعت را شمسی بنویسید، مانند {persian_digits(datetime_example())}.",
    )
    assert not SystemProblem.objects.exists()


@pytest.mark.persian
def test_the_inspection_date_says_the_same_of_a_gregorian_date(client, inspector, bazargan):
    client.force_login(inspector)
    data = {"office": bazargan.pk, "inspected_on": "2026-12-01", "findings": "", **dict.fromkeys(CHECKLIST, "yes")}
    response = client.post("/reports/inspections/new/", data)
    assert response.status_code == 400
    beside(
        response.content.decode(),
        "id_inspected_on",
        f"تاریخ میلادی است: تاریخ را شمسی بنویسید، مانند {persian_digits(date_example())}.",
    )
    assert not Inspection.objects.exists()
