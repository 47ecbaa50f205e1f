"""The Iranian working-day calendar: Fridays and official holidays are off; the project ships the
holidays of 1405 and 1406 and headquarters keeps them in the admin."""

import datetime as dt

import jdatetime
import pytest

from core.holidays_data import shipped
from core.models import Holiday
from core.workdays import add_working_days, is_working_day, working_days_between

pytestmark = pytest.mark.django_db


def _j(y, m, d):
    return jdatetime.date(y, m, d).togregorian()


def test_the_shipped_table_covers_this_jalali_year_and_the_next():
    days = set(Holiday.objects.values_list("date", flat=True))
    for year in (1405, 1406):
        # Nowruz, the Islamic Republic day, nature day, 14-15 Khordad, 22 Bahman, 29 Esfand
        for m, d in [(1, 1), (1, 2), (1, 3), (1, 4), (1, 12), (1, 13), (3, 14), (3, 15), (11, 22), (12, 29)]:
            assert _j(year, m, d) in days, (year, m, d)
        in_year = [r for r in shipped((year,)) if r["lunar"]]
        assert {r["name"] for r in in_year} >= {"تاسوعای حسینی", "عاشورای حسینی", "عید سعید قربان", "عید سعید غدیر خم"}
    # Tasua and Ashura are consecutive days
    tasua, ashura = (Holiday.objects.get(name=n, date__year=2026).date for n in ("تاسوعای حسینی", "عاشورای حسینی"))
    assert ashura - tasua == dt.timedelta(days=1)


def test_fridays_and_holidays_are_off():
    assert not is_working_day(dt.date(2026, 12, 4))  # a Friday
    assert is_working_day(dt.date(2026, 12, 5))  # a Saturday
    assert not is_working_day(_j(1405, 11, 22))  # 22 Bahman


def test_add_working_days_skips_fridays_and_holidays():
    start = dt.date(2027, 3, 16)  # a Tuesday
    assert start.weekday() == 1
    # Wed 17 (1), Thu 18 (2), Fri 19 off, Sat 20 = 29 Esfand off, Sun 21 - Wed 24 Nowruz off,
    # Thu 25 (3), Fri 26 off, Sat 27 (4), Sun 28 (5)
    assert add_working_days(start, 5) == dt.date(2027, 3, 28)
    assert add_working_days(start, 0) == start
    assert working_days_between(start, dt.date(2027, 3, 28)) == 5


def test_a_holiday_added_by_headquarters_counts_at_once():
    start = dt.date(2030, 1, 1)  # Tuesday; nothing shipped for 2030
    assert add_working_days(start, 3) == dt.date(2030, 1, 5)  # Wed, Thu, (Fri), Sat
    Holiday.objects.create(date=dt.date(2030, 1, 5), name="تعطیل اعلام‌شده")
    assert add_working_days(start, 3) == dt.date(2030, 1, 6)


def test_a_long_run_of_days_off_is_crossed():
    start = dt.date(2031, 1, 1)
    Holiday.objects.bulk_create([Holiday(date=start + dt.timedelta(days=i), name=f"h{i}") for i in range(1, 80)])
    assert add_working_days(start, 1) == start + dt.timedelta(days=80) + dt.timedelta(
        days=1 if (start + dt.timedelta(days=80)).weekday() == 4 else 0
    )


def test_headquarters_edits_holidays_in_the_admin(client, hq, it_officer):
    hq.is_staff = True
    hq.save()
    client.force_login(hq)
    r = client.post(
        "/admin/core/holiday/add/", {"date": "2030-02-02", "name": "تعطیل اضطراری", "note": "مصوبه هیئت دولت"}
    )
    assert r.status_code == 302 and Holiday.objects.filter(date=dt.date(2030, 2, 2)).exists()
    it_officer.is_staff = True
    it_officer.save()
    client.force_login(it_officer)
    assert client.post("/admin/core/holiday/add/", {"date": "2030-02-03", "name": "x"}).status_code == 403
