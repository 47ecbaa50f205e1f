"""The reports' lists in pages: every row reachable, the real total shown, the filters kept from page to page."""

import re

import pytest
from django.urls import reverse

from core.paging import PAGE_SIZE
from reports.models import MonthlyReturn

pytestmark = pytest.mark.django_db


def _total(page: str) -> int:
    return int(re.search(r'data-total="(\d+)"', page).group(1))


def test_the_returns_list_reaches_every_return_on_its_pages_with_the_real_total(client, hq):
    built = MonthlyReturn.objects.bulk_create(
        MonthlyReturn(year=1404, month=1 + i % 12, province=None, version=1 + i // 12, sha256="0" * 64)
        for i in range(PAGE_SIZE + 5)
    )
    client.force_login(hq)
    first = client.get(reverse("reports:returns")).content.decode()
    second = client.get(reverse("reports:returns"), {"page": 2}).content.decode()
    assert _total(first) == _total(second) == PAGE_SIZE + 5
    links = {r.pk: reverse("reports:return", args=[r.pk]) for r in built}
    on_first = {pk for pk, url in links.items() if f'href="{url}"' in first}
    on_second = {pk for pk, url in links.items() if f'href="{url}"' in second}
    assert len(on_first) == PAGE_SIZE and len(on_second) == 5
    assert on_first | on_second == set(links)  # none repeated, none left out


def test_the_problem_queue_reaches_every_problem_of_its_tab_on_its_pages(client, it_officer, tehran):
    from django.utils import timezone

    from reports.models import ProblemStatus, Symptom, System, SystemProblem

    SystemProblem.objects.bulk_create(
        SystemProblem(
            system=System.ICS,
            symptom=Symptom.ARRIVALS_NOT_VISIBLE,
            office=tehran,
            since=timezone.now(),
            description=f"problem number {i:03d}",
            status=ProblemStatus.ACKNOWLEDGED if i % 10 == 9 else ProblemStatus.NEW,
        )
        for i in range(PAGE_SIZE + 9)
    )
    new = set(SystemProblem.objects.filter(status=ProblemStatus.NEW).values_list("pk", flat=True))
    client.force_login(it_officer)
    first = client.get(reverse("reports:problems"), {"status": "new"}).content.decode()
    assert _total(first) == len(new) == PAGE_SIZE + 6
    assert "status=new&amp;page=2" in first  # the tab stays on the next page
    second = client.get(reverse("reports:problems"), {"status": "new", "page": 2}).content.decode()
    assert _total(second) == len(new)
    on_first = {int(pk) for pk in re.findall(r'data-problem="(\d+)"', first)}
    on_second = {int(pk) for pk in re.findall(r'data-problem="(\d+)"', second)}
    assert len(on_first) == PAGE_SIZE and len(on_second) == 6
    assert on_first | on_second == new  # every new one once; no acknowledged one


@pytest.fixture
def inspections(bazargan, inspector):
    """Inspections of Bazargan, one a day back from today: four more than a page."""
    import datetime as dt

    from django.utils import timezone

    from reports.models import Check, Inspection

    today = timezone.localdate()
    yes = Check.YES
    return Inspection.objects.bulk_create(
        Inspection(
            office=bazargan,
            inspector=inspector,
            inspected_on=today - dt.timedelta(days=i),
            origin_scans_uploaded=yes,
            destination_checks_done=yes,
            anpr_working=yes,
            arrivals_timely=yes,
            security_measures=yes,
        )
        for i in range(PAGE_SIZE + 4)
    )


def test_the_action_list_reaches_every_action_on_its_pages_with_the_real_total(
    client, inspector, bazargan, inspections
):
    import datetime as dt

    from reports.models import InspectionAction

    done_one = {"done_at": dt.datetime(2025, 1, 1, tzinfo=dt.UTC)}
    InspectionAction.objects.bulk_create(
        InspectionAction(
            inspection=inspection,
            description=f"action number {i:03d}",
            responsible_office=bazargan,
            due_on=inspection.inspected_on + dt.timedelta(days=30),
            **(done_one if i == 0 else {}),
        )
        for i, inspection in enumerate(inspections)
    )
    open_ones = set(InspectionAction.objects.filter(done_at__isnull=True).values_list("pk", flat=True))
    client.force_login(inspector)
    first = client.get(reverse("reports:actions"), {"state": "open"}).content.decode()
    assert _total(first) == len(open_ones) == PAGE_SIZE + 3
    assert "state=open&amp;page=2" in first  # the filter stays on the next page
    second = client.get(reverse("reports:actions"), {"state": "open", "page": 2}).content.decode()
    assert _total(second) == len(open_ones)
    on_first = {int(pk) for pk in re.findall(r'data-action="(\d+)"', first)}
    on_second = {int(pk) for pk in re.findall(r'data-action="(\d+)"', second)}
    assert len(on_first) == PAGE_SIZE and len(on_second) == 3
    assert on_first | on_second == open_ones  # every open one once; not the one done


def test_the_inspection_list_reaches_every_inspection_on_its_pages_with_the_real_total(client, inspector, inspections):
    client.force_login(inspector)
    first = client.get(reverse("reports:inspections")).content.decode()
    second = client.get(reverse("reports:inspections"), {"page": 2}).content.decode()
    assert _total(first) == _total(second) == PAGE_SIZE + 4
    links = {i.pk: f'href="{reverse("reports:inspection", args=[i.pk])}"' for i in inspections}
    on_first = {pk for pk, link in links.items() if link in first}
    on_second = {pk for pk, link in links.items() if link in second}
    assert len(on_first) == PAGE_SIZE and len(on_second) == 4
    assert on_first | on_second == set(links)
