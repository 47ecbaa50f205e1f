"""The build form offers the last complete month in the user's own scope; a month that has not
ended is built only when asked for, as a provisional return that says so and projects nothing."""

import csv
import datetime as dt
import io

import openpyxl
import pytest
from django.utils import timezone

from core.dates import jalali_month_bounds, jalali_month_of, previous_jalali_month
from declarations.models import Status
from reports.models import MonthlyReturn
from tests.factories import DeclarationFactory
from tests.pdftext import norm, pdf_text


@pytest.fixture
def running():
    """The running Jalali month and its bounds."""
    year, month = jalali_month_of(timezone.now())
    return (year, month, *jalali_month_bounds(year, month))


def _form(client):
    return client.get("/reports/").context["form"]


def test_the_form_offers_the_last_complete_month_and_the_users_own_scope(client, running, inspector, hq, west_az):
    last = previous_jalali_month(*running[:2])
    client.force_login(inspector)
    form = _form(client)
    assert (form["year"].value(), form["month"].value()) == last
    assert form["province"].value() == west_az.pk
    assert [str(label) for _v, label in form.fields["province"].choices] == [str(west_az)]  # no "national"
    assert not form["provisional"].value()

    client.force_login(hq)
    form = _form(client)
    assert (form["year"].value(), form["month"].value()) == last
    assert form["province"].value() in (None, "")  # headquarters' own scope: the nation


def test_it_refuses_a_month_that_has_not_ended_unless_asked(client, running, inspector, west_az):
    year, month, _s, _e = running
    client.force_login(inspector)
    response = client.post("/reports/", {"year": year, "month": month, "province": west_az.pk})
    assert response.status_code == 400
    assert "has not ended" in " ".join(response.context["form"].errors["month"])
    assert not MonthlyReturn.objects.exists()

    response = client.post("/reports/", {"year": year, "month": month, "province": west_az.pk, "provisional": "on"})
    assert response.status_code == 302
    snap = MonthlyReturn.objects.get()
    assert snap.provisional and snap.figures["provisional"]


def test_a_provisional_return_counts_up_to_its_build_and_says_so(client, running, inspector, west_az, bazargan, tehran):
    year, month, start, end = running
    now = timezone.now()
    soon = now + min(dt.timedelta(hours=1), (end - now) / 2)
    d = DeclarationFactory(
        origin=bazargan,
        destination=tehran,
        declared_at=max(start, now - dt.timedelta(hours=2)),
        departed_at=max(start, now - dt.timedelta(hours=2)),
        deadline=soon,  # before the month's end, after the build: not overdue yet
        status=Status.IN_TRANSIT,
    )
    client.force_login(inspector)
    client.post("/reports/", {"year": year, "month": month, "province": west_az.pk, "provisional": "on"})
    snap = MonthlyReturn.objects.get()
    f = snap.figures
    assert f["unsettled_by_reason"]["in_transit"] == 1 and f["unsettled_by_reason"]["overdue"] == 0
    assert f["unsettled_by_age"]["not_due"] == 1
    assert dt.datetime.fromisoformat(f["end"]) <= timezone.now()

    assert "provisional" in client.get("/reports/").content.decode()
    assert "provisional" in client.get(f"/reports/returns/{snap.pk}/").content.decode()
    text = pdf_text(snap.pdf.open("rb").read())
    assert norm("ماه هنوز تمام نشده است") in text and norm("گزارش قطعی را بسازید") in text
    summary = {r[0]: r[1] for r in openpyxl.load_workbook(snap.xlsx.open("rb"))["خلاصه"].iter_rows(values_only=True)}
    assert "موقت" in summary["وضعیت ارقام"]
    rows = list(csv.reader(io.StringIO(snap.csv.open("rb").read().decode("utf-8-sig"))))
    assert [r[3] for r in rows if r[:2] == ["return", "provisional"]] == ["yes"]
    (cut_off,) = [r[3] for r in rows if r[:2] == ["return", "end"]]  # it ends at its cut-off, not the month's end
    assert dt.datetime.fromisoformat(cut_off) == dt.datetime.fromisoformat(f["end"]) and cut_off.endswith("+03:30")
    serials = {r[0]: r for r in rows if r}
    assert serials[d.serial][6] == "" and serials[d.serial][7] == "in_transit"


def test_a_complete_month_is_final(client, running, inspector, west_az):
    year, month = previous_jalali_month(*running[:2])
    client.force_login(inspector)
    page = client.post(
        "/reports/", {"year": year, "month": month, "province": west_az.pk, "provisional": "on"}, follow=True
    ).content.decode()
    assert "its return is built final, not provisional" in page  # the box is not dropped silently
    snap = MonthlyReturn.objects.get()
    assert not snap.provisional
    assert "provisional" not in client.get(f"/reports/returns/{snap.pk}/").content.decode()
    rows = list(csv.reader(io.StringIO(snap.csv.open("rb").read().decode("utf-8-sig"))))
    assert [r[3] for r in rows if r[:2] == ["return", "provisional"]] == ["no"]


def test_the_api_refuses_a_running_month_unless_asked(client, running, hq):
    year, month, _s, _e = running
    client.force_login(hq)
    response = client.post("/api/reports/returns/build/", {"year": year, "month": month})
    assert response.status_code == 400 and "month" in response.json()["error"]["fields"]
    assert not MonthlyReturn.objects.exists()
    response = client.post("/api/reports/returns/build/", {"year": year, "month": month, "provisional": True})
    assert response.status_code == 202
    (listed,) = client.get("/api/reports/returns/").json()["results"]
    assert listed["provisional"] is True
