"""Jalali months in Asia/Tehran: edges of months and years, Esfand of leap years."""

import datetime as dt

import pytest

from core import dates

UTC = dt.UTC


def test_farvardin_1404_starts_at_tehran_midnight_on_nowruz():
    start, end = dates.jalali_month_bounds(1404, 1)
    assert start == dt.datetime(2025, 3, 21, tzinfo=dates.TEHRAN)
    assert start.astimezone(UTC) == dt.datetime(2025, 3, 20, 20, 30, tzinfo=UTC)
    assert end == dt.datetime(2025, 4, 21, tzinfo=dates.TEHRAN)


@pytest.mark.parametrize("year,days", [(1403, 30), (1404, 29), (1399, 30)])
def test_esfand_has_30_days_in_leap_years(year, days):
    start, end = dates.jalali_month_bounds(year, 12)
    assert (end - start).days == days
    assert end == dates.jalali_month_bounds(year + 1, 1)[0]


def test_a_moment_just_before_midnight_tehran_belongs_to_the_old_month():
    start, _ = dates.jalali_month_bounds(1404, 7)  # Mehr
    before = start - dt.timedelta(seconds=1)
    assert dates.jalali_month_of(before) == (1404, 6)
    assert dates.jalali_month_of(start) == (1404, 7)


def test_format_and_parse():
    t = dt.datetime(2025, 8, 3, 7, 0, tzinfo=UTC)  # 10:30 Tehran
    assert dates.format_jalali(t) == "۱۴۰۴/۰۵/۱۲ ۱۰:۳۰"
    assert dates.format_jalali(t, persian=False) == "1404/05/12 10:30"
    assert dates.parse_datetime_any("۱۴۰۴/۰۵/۱۲ ۱۰:۳۰") == t
    assert dates.parse_datetime_any("2025-08-03T07:00:00Z") == t
    with pytest.raises(ValueError):
        dates.parse_jalali_date("1404/13/01")


def test_previous_month_wraps_the_year():
    assert dates.previous_jalali_month(1404, 1) == (1403, 12)


@pytest.mark.parametrize(
    "value",
    [dt.datetime(100, 1, 1, tzinfo=dt.UTC), dt.datetime(9999, 12, 31, 23, 59, tzinfo=dt.UTC), dt.date(1, 1, 1)],
)
def test_a_time_the_jalali_calendar_cannot_hold_is_written_as_sent(value):
    """jdatetime raised ("year is out of range"), so every refusal quoting such a time was a 500."""
    assert dates.format_jalali(value) == value.isoformat()


def test_a_naive_datetime_is_still_refused():
    with pytest.raises(ValueError, match="naive"):
        dates.format_jalali(dt.datetime(2025, 1, 1))


def test_a_gregorian_date_is_no_jalali_one():
    """«2026-12-01» in a Jalali date box was taken as the Jalali year 2026 (the year 2647)."""
    with pytest.raises(ValueError, match="Gregorian"):
        dates.parse_jalali_date("2026-12-01")
    assert dates.parse_jalali_date("۱۴۰۵-۰۹-۱۰") == dt.date(2026, 12, 1)
