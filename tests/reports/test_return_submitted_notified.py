"""Headquarters learns that a province submitted its return (it was only audited) on its bell, with a link to
it, and sees on the returns list which provinces have and have not sent each finished month's return."""

import pytest
from django.utils import timezone

from core.dates import jalali_month_of, previous_jalali_month
from notifications.models import Kind, Notification
from reports import services
from tests.factories import UserFactory


@pytest.fixture
def last_month():
    return previous_jalali_month(*jalali_month_of(timezone.now()))


def test_headquarters_is_told_when_a_province_submits(client, last_month, inspector, hq, west_az, it_officer):
    from accounts.models import Role

    other_hq = UserFactory(username="hq2", role=Role.HQ)
    snap = services.return_build(year=last_month[0], month=last_month[1], province=west_az, by=inspector)
    services.return_submit(monthly_return=snap, by=inspector)

    told = Notification.objects.filter(kind=Kind.RETURN_SUBMITTED)
    assert {n.user for n in told} == {hq, other_hq}  # the transit office; not IT, not the inspector
    note = told.get(user=hq)
    assert "West Azerbaijan" in note.title_text() and "version 1" in note.title_text()
    assert "Submitted to headquarters on" in note.body_text() and "inspector" in note.body_text()
    client.force_login(hq)
    assert note.url == f"/reports/returns/{snap.pk}/" and client.get(note.url).status_code == 200


def test_the_national_return_finalised_by_headquarters_tells_nobody(last_month, hq):
    snap = services.return_build(year=last_month[0], month=last_month[1], province=None, by=hq)
    services.return_submit(monthly_return=snap, by=hq)
    assert not Notification.objects.filter(kind=Kind.RETURN_SUBMITTED).exists()


def test_the_list_shows_headquarters_which_provinces_have_not_submitted(
    client, last_month, inspector, hq, west_az, khorasan
):
    snap = services.return_build(year=last_month[0], month=last_month[1], province=west_az, by=inspector)
    services.return_submit(monthly_return=snap, by=inspector)
    client.force_login(hq)
    page = client.get("/reports/").content.decode()
    table = page.split('id="submissions"', 1)[1].split("</table>", 1)[0]
    waz = table.split('data-province="WAZ"', 1)[1].split("</tr>", 1)[0]
    khr = table.split('data-province="KHR"', 1)[1].split("</tr>", 1)[0]
    assert f"/reports/returns/{snap.pk}/" in waz and "version 1" in waz  # last month: sent
    assert khr.count("not submitted") == 3  # none of the three finished months
    assert waz.count("not submitted") == 2

    client.force_login(inspector)  # a province's inspector sees their own returns only: no such table
    assert 'id="submissions"' not in client.get("/reports/").content.decode()


@pytest.mark.persian
def test_it_reads_in_persian(client, last_month, inspector, hq, west_az):
    snap = services.return_build(year=last_month[0], month=last_month[1], province=west_az, by=inspector)
    services.return_submit(monthly_return=snap, by=inspector)
    client.force_login(hq)
    page = client.get("/reports/").content.decode()
    assert "ارسال نشده" in page and "نسخهٔ ۱" in page.split('id="submissions"', 1)[1]
    note = Notification.objects.get(user=hq, kind=Kind.RETURN_SUBMITTED)
    assert "آذربایجان غربی" in note.title_text() and "به ستاد ارسال شد" in note.body_text()
