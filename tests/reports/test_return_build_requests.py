"""Asking for a monthly return, by the API and the page's form: an inspector's own province when none is
named, a province's code it does not know named in the reader's language, no month before the data
starts, and no second build of a return while the first is being built (a rebuild after it is a new
version: a correction)."""

import datetime as dt

import pytest
from django.utils import timezone

from core import jobs
from core.dates import jalali_month_bounds, jalali_month_of, previous_jalali_month
from reports.models import BuildState, MonthlyReturn, ReturnBuild
from tests.factories import DeclarationFactory

API = "/api/reports/returns/build/"


@pytest.fixture
def last_month():
    return previous_jalali_month(*jalali_month_of(timezone.now()))


@pytest.fixture
def with_a_worker(monkeypatch):
    """A broker and a worker, as in production: the request queues the build (its message waits in the
    outbox: this test never commits) and the worker has not taken it yet."""
    monkeypatch.setattr(jobs, "runs_inline", lambda: False)


def test_an_inspector_who_names_no_province_builds_their_own(client, inspector, hq, west_az, last_month):
    year, month = last_month
    client.force_login(inspector)
    response = client.post(API, {"year": year, "month": month}, content_type="application/json")
    assert response.status_code == 202
    assert MonthlyReturn.objects.get().province == west_az

    client.force_login(hq)
    assert client.post(API, {"year": year, "month": month}, content_type="application/json").status_code == 202
    assert MonthlyReturn.objects.filter(province=None).count() == 1  # headquarters: the nation


def test_the_page_form_without_a_province_builds_the_inspectors_own(client, inspector, west_az, last_month):
    year, month = last_month
    client.force_login(inspector)
    response = client.post("/reports/", {"year": year, "month": month})
    assert response.status_code == 302
    assert MonthlyReturn.objects.get().province == west_az


@pytest.mark.persian
def test_an_unknown_province_is_named_in_persian(client, hq, last_month):
    year, month = last_month
    client.force_login(hq)
    response = client.post(API, {"year": year, "month": month, "province": "XX"}, content_type="application/json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["fields"]["province"] == ["استانی با کد «XX» وجود ندارد."]
    assert error["message"] == "استان: استانی با کد «XX» وجود ندارد."
    assert "Object" not in response.content.decode()


def _months_back(n: int) -> tuple[int, int]:
    year, month = jalali_month_of(timezone.now())
    back = year * 12 + month - 1 - n
    return back // 12, back % 12 + 1


def test_a_month_before_the_data_starts_is_refused(client, hq, bazargan, tehran):
    first_year, first_month = _months_back(30)
    start, _end = jalali_month_bounds(first_year, first_month)
    DeclarationFactory(origin=bazargan, destination=tehran, declared_at=start + dt.timedelta(days=3))
    client.force_login(hq)

    response = client.post(API, {"year": 1390, "month": 8}, content_type="application/json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert list(error["fields"]) == ["year"] and "before the data starts" in error["message"]
    before = _months_back(31)
    response = client.post(API, {"year": before[0], "month": before[1]}, content_type="application/json")
    assert response.status_code == 400
    assert not MonthlyReturn.objects.exists()

    # The month of the first declaration and every month after it are built.
    response = client.post(API, {"year": first_year, "month": first_month}, content_type="application/json")
    assert response.status_code == 202
    assert MonthlyReturn.objects.get().month == first_month

    response = client.post("/reports/", {"year": 1390, "month": 8})
    assert response.status_code == 400
    assert "before the data starts" in " ".join(response.context["form"].errors["year"])


def test_with_no_declaration_yet_two_years_back_are_built(client, hq):
    client.force_login(hq)
    for months, status in ((1, 202), (24, 202), (25, 400)):
        year, month = _months_back(months)
        response = client.post(API, {"year": year, "month": month}, content_type="application/json")
        assert response.status_code == status, months


def test_a_second_build_while_the_first_is_being_built_is_refused(
    client, inspector, west_az, last_month, with_a_worker
):
    year, month = last_month
    client.force_login(inspector)
    assert client.post(API, {"year": year, "month": month}, content_type="application/json").status_code == 202
    build = ReturnBuild.objects.get()
    assert (build.year, build.month, build.province, build.state) == (year, month, west_az, BuildState.QUEUED)

    response = client.post(API, {"year": year, "month": month}, content_type="application/json")
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "in_progress"
    assert "already being built" in error["message"] and "/reports/" not in error["message"]
    assert response.json()["returns_list"] == "/reports/"  # the list's address beside the words, not in them
    assert ReturnBuild.objects.count() == 1

    response = client.post("/reports/", {"year": year, "month": month, "province": west_az.pk})
    assert response.status_code == 409
    page = response.content.decode()
    assert "already being built" in page and 'href="/reports/"' in page
    assert "(/reports/)" not in page  # the link names the list: no raw path beside it
    assert ReturnBuild.objects.count() == 1

    # Built: a rebuild is a correction, a new version.
    ReturnBuild.objects.update(state=BuildState.DONE)
    assert client.post(API, {"year": year, "month": month}, content_type="application/json").status_code == 202
    assert ReturnBuild.objects.count() == 2


def test_another_scope_or_month_is_not_held_up(client, hq, inspector, west_az, last_month, with_a_worker):
    year, month = last_month
    client.force_login(inspector)
    assert client.post(API, {"year": year, "month": month}, content_type="application/json").status_code == 202
    client.force_login(hq)
    assert client.post(API, {"year": year, "month": month}, content_type="application/json").status_code == 202
    earlier = previous_jalali_month(year, month)
    response = client.post(API, {"year": earlier[0], "month": earlier[1]}, content_type="application/json")
    assert response.status_code in (202, 400)  # 400 only for a month before the data starts
    assert ReturnBuild.objects.filter(state=BuildState.QUEUED).count() == 2 + (response.status_code == 202)
