"""A date of the right shape but no such day («1403/13/40») is named as not a Jalali date, in every date box, as
the API names it; a value of the wrong shape keeps the example of the shape to type (a walk, 2026-12-07)."""

import pytest

from core.dates import date_example, datetime_example, persian_digits
from reports.models import CHECKLIST, Inspection, SystemProblem
from tests.core.test_form_style import beside

pytestmark = pytest.mark.django_db
LRI, PDI = "\u2066", "\u2069"


def _problem(client, office, since: str):
    data = {
        "system": "ics",
        "symptom": "arrivals_not_visible",
        "office": office.pk,
        "since": since,
        "description": "وصول‌ها دیده نمی‌شوند",
    }
    return client.post("/reports/problems/new/", data)


@pytest.mark.persian
@pytest.mark.parametrize("typed", ["1403/13/40 10:30", "۱۴۰۳/۱۲/۳۱ ۱۰:۳۰", "1403/13/40"])
def test_a_date_and_time_of_no_such_day_is_named(client, origin_clerk, bazargan, typed):
    client.force_login(origin_clerk)
    response = _problem(client, bazargan, typed)
    assert response.status_code == 400
    beside(response.content.decode(), "id_since", f"«{LRI}{typed}{PDI}» تاریخ شمسی نیست")
    assert not SystemProblem.objects.exists()


@pytest.mark.persian
def test_a_date_and_time_of_the_wrong_shape_keeps_the_example(client, origin_clerk, bazargan):
    client.force_login(origin_clerk)
    response = _problem(client, bazargan, "دیروز ساعت ده")
    beside(response.content.decode(), "id_since", f"مانند {persian_digits(datetime_example())}")


@pytest.mark.persian
@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("1403/13/40", f"«{LRI}1403/13/40{PDI}» تاریخ شمسی نیست"),
        ("1403/7/31", f"«{LRI}1403/7/31{PDI}» تاریخ شمسی نیست"),
        ("dirooz", f"مانند {persian_digits(date_example())}"),
    ],
)
def test_the_inspection_date_names_a_day_that_does_not_exist(client, inspector, bazargan, typed, said):
    client.force_login(inspector)
    data = {"office": bazargan.pk, "inspected_on": typed, "findings": "", **dict.fromkeys(CHECKLIST, "yes")}
    response = client.post("/reports/inspections/new/", data)
    assert response.status_code == 400
    beside(response.content.decode(), "id_inspected_on", said)
    assert not Inspection.objects.exists()
