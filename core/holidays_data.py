"""The official holidays of Iran shipped with the project: Jalali years 1405 and 1406.

Solar holidays are fixed Jalali dates (the law on official holidays, قانون تعطیلات رسمی). The
lunar ones are Hijri dates whose Gregorian day depends on the moon sighting; they are LISTED
below, not computed at run time. Source: the Umm al-Qura calendar (as tabulated by the
``hijridate`` 2.5.0 package, converted to Jalali with jdatetime), for these occasions of the
official list: 9 and 10 Muharram, 20, 28 and the last day of Safar, 8 and 17 Rabi' al-awwal,
3 Jumada al-akhira, 13 and 27 Rajab, 15 Sha'ban, 21 Ramadan, 1 and 2 Shawwal, 25 Shawwal,
10 and 18 Dhu al-hijja. Iran's official calendar (the calendar centre of the University of
Tehran's Institute of Geophysics) fixes them by sighting and may put one a day later:
headquarters corrects a row in the admin (official holidays) when the calendar is published or
a sighting is announced. A lunar holiday that falls outside 1405–1406 (1 Shawwal 1447 is
29 Esfand 1404) is not listed.
"""

from __future__ import annotations

import datetime as dt
import re

import jdatetime
from django.utils.translation import gettext

from core.text import digits

# (Jalali month, day, occasion): every year.
SOLAR = [
    (1, 1, "عید نوروز"),
    (1, 2, "عید نوروز"),
    (1, 3, "عید نوروز"),
    (1, 4, "عید نوروز"),
    (1, 12, "روز جمهوری اسلامی"),
    (1, 13, "روز طبیعت"),
    (3, 14, "رحلت امام خمینی"),
    (3, 15, "قیام ۱۵ خرداد"),
    (11, 22, "پیروزی انقلاب اسلامی"),
    (12, 29, "روز ملی شدن صنعت نفت"),
]

# (Gregorian date, occasion, Hijri date): Umm al-Qura, see the module docstring.
LUNAR = [
    # 1405
    (dt.date(2026, 3, 21), "عید سعید فطر (روز دوم)", "1447-10-02"),
    (dt.date(2026, 4, 13), "شهادت امام جعفر صادق", "1447-10-25"),
    (dt.date(2026, 5, 27), "عید سعید قربان", "1447-12-10"),
    (dt.date(2026, 6, 4), "عید سعید غدیر خم", "1447-12-18"),
    (dt.date(2026, 6, 24), "تاسوعای حسینی", "1448-01-09"),
    (dt.date(2026, 6, 25), "عاشورای حسینی", "1448-01-10"),
    (dt.date(2026, 8, 3), "اربعین حسینی", "1448-02-20"),
    (dt.date(2026, 8, 11), "رحلت رسول اکرم و شهادت امام حسن مجتبی", "1448-02-28"),
    (dt.date(2026, 8, 13), "شهادت امام رضا", "1448-02-30"),
    (dt.date(2026, 8, 21), "شهادت امام حسن عسکری", "1448-03-08"),
    (dt.date(2026, 8, 30), "میلاد رسول اکرم و امام جعفر صادق", "1448-03-17"),
    (dt.date(2026, 11, 13), "شهادت حضرت فاطمه زهرا", "1448-06-03"),
    (dt.date(2026, 12, 22), "ولادت امام علی", "1448-07-13"),
    (dt.date(2027, 1, 5), "مبعث رسول اکرم", "1448-07-27"),
    (dt.date(2027, 1, 23), "ولادت حضرت قائم", "1448-08-15"),
    (dt.date(2027, 2, 28), "شهادت امام علی", "1448-09-21"),
    (dt.date(2027, 3, 9), "عید سعید فطر", "1448-10-01"),
    (dt.date(2027, 3, 10), "عید سعید فطر (روز دوم)", "1448-10-02"),
    # 1406
    (dt.date(2027, 4, 2), "شهادت امام جعفر صادق", "1448-10-25"),
    (dt.date(2027, 5, 16), "عید سعید قربان", "1448-12-10"),
    (dt.date(2027, 5, 24), "عید سعید غدیر خم", "1448-12-18"),
    (dt.date(2027, 6, 14), "تاسوعای حسینی", "1449-01-09"),
    (dt.date(2027, 6, 15), "عاشورای حسینی", "1449-01-10"),
    (dt.date(2027, 7, 24), "اربعین حسینی", "1449-02-20"),
    (dt.date(2027, 8, 1), "رحلت رسول اکرم و شهادت امام حسن مجتبی", "1449-02-28"),
    (dt.date(2027, 8, 2), "شهادت امام رضا", "1449-02-29"),
    (dt.date(2027, 8, 10), "شهادت امام حسن عسکری", "1449-03-08"),
    (dt.date(2027, 8, 19), "میلاد رسول اکرم و امام جعفر صادق", "1449-03-17"),
    (dt.date(2027, 11, 2), "شهادت حضرت فاطمه زهرا", "1449-06-03"),
    (dt.date(2027, 12, 11), "ولادت امام علی", "1449-07-13"),
    (dt.date(2027, 12, 25), "مبعث رسول اکرم", "1449-07-27"),
    (dt.date(2028, 1, 12), "ولادت حضرت قائم", "1449-08-15"),
    (dt.date(2028, 2, 17), "شهادت امام علی", "1449-09-21"),
    (dt.date(2028, 2, 26), "عید سعید فطر", "1449-10-01"),
    (dt.date(2028, 2, 27), "عید سعید فطر (روز دوم)", "1449-10-02"),
]

YEARS = (1405, 1406)

# The source the project writes on the rows it ships (``shipped``), stored as written; ``note_text`` shows it in
# the reader's language. A note headquarters types is shown as typed.
SOLAR_NOTE = "قانون تعطیلات رسمی"
LUNAR_NOTE = "Umm al-Qura {hijri} (hijridate 2.5.0); subject to sighting"
_LUNAR_NOTE = re.compile(re.escape(LUNAR_NOTE).replace(r"\{hijri\}", r"(\d{4})-(\d{2})-(\d{2})"))


def note_text(note: str) -> str:
    """A holiday's source or note as the reader reads it: a shipped row's in the reader's language (the Hijri
    date in the reader's digits), any other as stored."""
    if note == SOLAR_NOTE:
        return gettext("the law on official holidays")
    if m := _LUNAR_NOTE.fullmatch(note):
        return gettext("Umm al-Qura calendar %(hijri)s (hijridate 2.5.0); subject to the moon sighting") % {
            "hijri": digits("/".join(m.groups()))
        }
    return note


def shipped(years: tuple[int, ...] = YEARS) -> list[dict]:
    """The rows the project ships: ``{"date", "name", "lunar", "note"}`` for the Jalali ``years``."""
    rows = [
        {"date": jdatetime.date(y, m, d).togregorian(), "name": name, "lunar": False, "note": SOLAR_NOTE}
        for y in years
        for m, d, name in SOLAR
    ]
    rows += [
        {
            "date": day,
            "name": name,
            "lunar": True,
            "note": LUNAR_NOTE.format(hijri=hijri),
        }
        for day, name, hijri in LUNAR
        if jdatetime.date.fromgregorian(date=day).year in years
    ]
    return sorted(rows, key=lambda r: (r["date"], r["name"]))
