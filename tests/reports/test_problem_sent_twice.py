"""A system problem sent twice by the same person within minutes (a double press, a client's retry) is
one report: the second is refused naming the first, by the API (409) and on the page (with a link)."""

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
    assert f"#{problem_id}" in error["message"] and f"/reports/problems/{problem_id}/" in error["message"]
    assert SystemProblem.objects.count() == 1


def test_the_page_form_names_the_first_with_a_link(client, origin_clerk, bazargan, body):
    client.force_login(origin_clerk)
    page_body = {**body, "office": bazargan.pk}
    assert client.post("/reports/problems/new/", page_body).status_code == 302
    problem = SystemProblem.objects.get()
    response = client.post("/reports/problems/new/", page_body)
    assert response.status_code == 409
    assert f'<a href="/reports/problems/{problem.pk}/">' in response.content.decode()
    assert SystemProblem.objects.count() == 1


def test_a_different_problem_a_later_one_or_another_persons_is_reported(client, origin_clerk, inspector, body):
    client.force_login(origin_clerk)
    assert client.post(API, body, content_type="application/json").status_code == 201
    other = {**body, "description": "پلاک‌خوان گمرک بازرگان خوانشی نمی‌فرستد"}
    assert client.post(API, other, content_type="application/json").status_code == 201

    # Ten minutes later, or once resolved, the same words are a new report.
    SystemProblem.objects.update(reported_at=timezone.now() - dt.timedelta(minutes=11))
    assert client.post(API, body, content_type="application/json").status_code == 201
    SystemProblem.objects.update(status=ProblemStatus.RESOLVED)
    assert client.post(API, body, content_type="application/json").status_code == 201

    client.force_login(inspector)
    assert client.post(API, body, content_type="application/json").status_code == 201
    assert SystemProblem.objects.count() == 5
