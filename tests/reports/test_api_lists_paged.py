"""The reports API lists (returns, system problems, inspection follow-up actions) come in pages, as every other
API list: ``count`` the whole list, ``next`` reaching the rest, never a list cut at 500 rows unsaid."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from reports import services
from reports.models import CHECKLIST, MonthlyReturn, Symptom, System

pytestmark = pytest.mark.django_db


def walk(api: APIClient, path: str, **params) -> tuple[list[int], list[int]]:
    """Every id the list gives, page after page (2 a page), and the ``count`` each page said."""
    body = api.get(path, {**params, "page_size": 2}).json()
    ids, counts = [r["id"] for r in body["results"]], [body["count"]]
    while body["next"]:
        body = api.get(body["next"]).json()
        ids += [r["id"] for r in body["results"]]
        counts.append(body["count"])
    return ids, counts


def _api(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def test_every_return_is_reached_through_the_pages_the_latest_built_first(hq, west_az):
    made = [
        MonthlyReturn.objects.create(
            year=1404, month=month, province=west_az, version=1, sha256="e" * 64, figures={"unsettled_count": month}
        ).pk
        for month in range(1, 6)
    ]
    ids, counts = walk(_api(hq), "/api/reports/returns/")
    assert ids == made[::-1]
    assert counts == [5, 5, 5]


def test_every_problem_of_a_tab_is_reached_through_the_pages(hq, bazargan):
    reported = [
        services.problem_report(
            by=hq,
            system=System.ICS,
            symptom=Symptom.SLOW,
            office=bazargan,
            since=timezone.now() - dt.timedelta(hours=n),
            description=f"مشکل شمارهٔ {n} در سامانه",
        ).pk
        for n in range(5)
    ]
    ids, counts = walk(_api(hq), "/api/reports/problems/")
    assert ids == reported  # open work: the longest waiting first
    assert counts == [5, 5, 5]
    assert walk(_api(hq), "/api/reports/problems/", status="all")[0] == reported[::-1]


def test_every_action_is_reached_through_the_pages_the_soonest_due_first(inspector, origin_clerk, bazargan):
    inspection = services.inspection_record(
        office=bazargan,
        by=inspector,
        inspected_on=timezone.localdate() - dt.timedelta(days=30),
        checklist=dict.fromkeys(CHECKLIST, "yes"),
    )
    today = timezone.localdate()
    due = {}
    for days in (3, -1, 5, 2, 4):
        action = services.ActionInput(f"کار {days}", bazargan, today + dt.timedelta(days=days))
        due[days] = services.inspection_action_add(inspection=inspection, by=inspector, action=action).pk
    ids, counts = walk(_api(origin_clerk), "/api/reports/inspection-actions/")
    assert ids == [due[d] for d in sorted(due)]
    assert counts == [5, 5, 5]
