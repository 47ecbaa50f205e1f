"""A system problem sent twice within minutes (a double press, a client's retry, colleagues at the same office
reporting the same outage) is one report: the second is refused naming the first («problem no. 7»), by the
API (409, with the problem's id and page as fields, no path in the words) and on the page (the name a link).
The guard was per person: three people filing the same problem within a second made three problems."""

import datetime as dt

import pytest
from django.utils import timezone

from reports.models import ProblemStatus, SystemProblem

API = "/api/reports/problems/"


@pytest.fixture
def body(bazargan):
    return {
        "system": "ics",
        "symptom": "arrivals_not_visible",
        "office": bazargan.code,
        "since": "1405/09/01 10:00",
        "description": "اعلام وصول‌ها در سامانه دیده نمی‌شوند",
    }


def test_the_same_problem_sent_twice_is_refused_naming_the_first(client, origin_clerk, body):
    client.force_login(origin_clerk)
    first = client.post(API, body, content_type="application/json")
    assert first.status_code == 201
    problem_id = first.json()["id"]

    again = client.post(API, body, content_type="application/json")
    assert again.status_code == 409
    error = again.json()["error"]
    assert error["code"] == "duplicate"
    assert f"problem no. {problem_id}" in error["message"] and "/reports/" not in error["message"]
    assert again.json()["problem"] == {"id": problem_id, "url": f"/reports/problems/{problem_id}/"}
    assert SystemProblem.objects.count() == 1


def test_the_same_problem_from_three_people_of_the_office_is_one_problem(client, origin_clerk, inspector, hq, body):
    answers = []
    for person in (origin_clerk, inspector, hq):
        client.force_login(person)
        answers.append(client.post(API, body, content_type="application/json").status_code)
    assert answers == [201, 409, 409]
    assert SystemProblem.objects.count() == 1


def test_the_page_form_names_the_first_with_a_link(client, origin_clerk, bazargan, body):
    client.force_login(origin_clerk)
    page_body = {**body, "office": bazargan.pk}
    assert client.post("/reports/problems/new/", page_body).status_code == 302
    problem = SystemProblem.objects.get()
    response = client.post("/reports/problems/new/", page_body)
    assert response.status_code == 409
    content = response.content.decode()
    assert f'<a href="/reports/problems/{problem.pk}/">problem no. {problem.pk}</a>' in content
    assert f"(/reports/problems/{problem.pk}/)" not in content
    assert SystemProblem.objects.count() == 1


def test_a_different_problem_a_later_one_or_another_offices_is_reported(client, origin_clerk, hq, tehran, body):
    client.force_login(origin_clerk)
    assert client.post(API, body, content_type="application/json").status_code == 201
    other = {**body, "description": "پلاک‌خوان گمرک بازرگان خوانشی نمی‌فرستد"}
    assert client.post(API, other, content_type="application/json").status_code == 201

    # Ten minutes later, or once resolved, the same words are a new report.
    SystemProblem.objects.update(reported_at=timezone.now() - dt.timedelta(minutes=11))
    assert client.post(API, body, content_type="application/json").status_code == 201
    SystemProblem.objects.update(status=ProblemStatus.RESOLVED)
    assert client.post(API, body, content_type="application/json").status_code == 201

    client.force_login(hq)
    assert client.post(API, {**body, "office": tehran.code}, content_type="application/json").status_code == 201
    assert SystemProblem.objects.count() == 5


def test_the_page_form_asks_for_the_time_since(client, origin_clerk, bazargan, body):
    """A date alone was taken and stored as 00:00."""
    client.force_login(origin_clerk)
    response = client.post("/reports/problems/new/", {**body, "office": bazargan.pk, "since": "1405/09/01"})
    assert response.status_code == 400 and "since" in response.context["form"].errors
    assert not SystemProblem.objects.exists()
