"""The problem queue promises «open problems are listed oldest first: the one waiting longest is on top», but
it ordered by the time each was reported while its «since» column shows when the problem began: the demo's
problems, reported together, read 1405/09/14, 09/10, 09/15, 09/08 from the top. The queue now orders by the
time the column shows, oldest first, then by number."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from reports import problems, services
from reports.models import Symptom, System, SystemProblem

pytestmark = pytest.mark.django_db


def _report(by, office, description, *, began_days_ago: int, reported_days_ago: int) -> SystemProblem:
    problem = services.problem_report(
        by=by,
        system=System.ICS,
        symptom=Symptom.ARRIVALS_NOT_VISIBLE,
        office=office,
        since=timezone.now() - dt.timedelta(days=began_days_ago),
        description=description,
    )
    SystemProblem.objects.filter(pk=problem.pk).update(
        reported_at=timezone.now() - dt.timedelta(days=reported_days_ago)
    )
    return problem


def test_open_problems_are_listed_by_the_time_they_began_oldest_first(client, origin_clerk, bazargan, it_officer):
    # reported in one order, begun in another; two begun at the same moment keep their numbers' order
    a = _report(origin_clerk, bazargan, "اعلام وصول‌ها دیده نمی‌شوند (الف)", began_days_ago=2, reported_days_ago=9)
    b = _report(origin_clerk, bazargan, "اعلام وصول‌ها دیده نمی‌شوند (ب)", began_days_ago=6, reported_days_ago=1)
    c = _report(origin_clerk, bazargan, "اعلام وصول‌ها دیده نمی‌شوند (ج)", began_days_ago=4, reported_days_ago=1)
    d = _report(origin_clerk, bazargan, "اعلام وصول‌ها دیده نمی‌شوند (د)", began_days_ago=4, reported_days_ago=3)
    SystemProblem.objects.filter(pk=d.pk).update(since=SystemProblem.objects.get(pk=c.pk).since)

    assert [p.pk for p in problems.queue(it_officer, problems.OPEN)] == [b.pk, c.pk, d.pk, a.pk]

    client.force_login(it_officer)
    page = client.get(reverse("reports:problems")).content.decode()
    places = [page.index(f'href="{reverse("reports:problem", args=[p.pk])}"') for p in (b, c, d, a)]
    assert places == sorted(places)
