"""Time in one place: store UTC, show Asia/Tehran with Jalali dates and Persian digits.

Month boundaries are Jalali months in Asia/Tehran, returned as aware datetimes
(half-open: start <= t < end), so reports can filter UTC columns directly.
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import jdatetime
from django.utils.translation import gettext as _

TEHRAN = ZoneInfo("Asia/Tehran")


def date_example() -> str:
    """The example date every Jalali date hint and message gives: the 12th of Mordad of this Jalali year
    (Tehran), ``1405/05/12`` in 1405, so an example never reads as last year's. ASCII digits."""
    return f"{jdatetime.date.fromgregorian(date=dt.datetime.now(TEHRAN).date()).year}/05/12"


def iso_date_example() -> str:
    """``date_example``'s day in ISO (Gregorian): ``2026-08-03`` for ``1405/05/12``."""
    return jdatetime.date(*(int(part) for part in date_example().split("/"))).togregorian().isoformat()


def datetime_example() -> str:
    """``date_example`` with a time (Tehran time): the example of a date-and-time field."""
    return f"{date_example()} 10:30"


# No record here is older than 1390/01/01 (declarations, permits, problems). Before 1946 Tehran's
# offset had seconds (+03:25:44): such a time comes back in a form no ISO 8601 client parses.
EARLIEST = dt.datetime(2011, 3, 21, tzinfo=dt.UTC)
# How far ahead of our clock a time typed or sent may be (a clerk's watch, a camera's or a client's
# clock running fast): more is the future, refused.
CLOCK_SKEW = dt.timedelta(minutes=5)
PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
ASCII_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")
JALALI_MONTHS = [
    "فروردین",
    "اردیبهشت",
    "خرداد",
    "تیر",
    "مرداد",
    "شهریور",
    "مهر",
    "آبان",
    "آذر",
    "دی",
    "بهمن",
    "اسفند",
]
# Their English (transliterated) names, for the month pickers of English pages.
JALALI_MONTHS_EN = [
    "Farvardin",
    "Ordibehesht",
    "Khordad",
    "Tir",
    "Mordad",
    "Shahrivar",
    "Mehr",
    "Aban",
    "Azar",
    "Dey",
    "Bahman",
    "Esfand",
]


def persian_digits(value: object) -> str:
    return str(value).translate(PERSIAN_DIGITS)


def ascii_digits(value: str) -> str:
    return value.translate(ASCII_DIGITS)


def to_tehran(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        raise ValueError("naive datetime: store and pass aware datetimes")
    return value.astimezone(TEHRAN)


def to_jalali(value: dt.date | dt.datetime) -> jdatetime.date | jdatetime.datetime:
    if isinstance(value, dt.datetime):
        return jdatetime.datetime.fromgregorian(datetime=to_tehran(value))
    return jdatetime.date.fromgregorian(date=value)


def format_jalali(value: dt.date | dt.datetime | None, *, with_time: bool = True, persian: bool = True) -> str:
    """``1404/05/12 10:30`` (Tehran time), in Persian digits unless asked otherwise."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        to_tehran(value)  # raises: a naive datetime is a bug, not a value to show
    try:
        j = to_jalali(value)
    except (ValueError, OverflowError):  # a year the Jalali calendar cannot hold here (before 622 AD, after 9377)
        return value.isoformat()  # as sent: an error message quoting it must not become a 500
    if isinstance(j, jdatetime.datetime):
        text = j.strftime("%Y/%m/%d %H:%M") if with_time else j.strftime("%Y/%m/%d")
    else:
        text = j.strftime("%Y/%m/%d")
    return persian_digits(text) if persian else text


def _typed(text: object) -> str:
    """The value as typed, quoted in a message between isolates (its digits as typed): a Persian sentence
    around it does not reorder it. core.text imports this module, hence the late import (errors only)."""
    from core.text import isolate

    return isolate(str(text)[:60])


def parse_jalali_date(text: str) -> dt.date:
    """``1404/05/12`` or ``1404-5-12`` (any digit script) to a Gregorian date; ValueError if not a date,
    its message in the active language, naming the text as typed (an import's row error shows it)."""
    return _jalali_date(str(text), typed=str(text).strip())


def _example(with_time: bool = False) -> str:
    """This year's example (``date_example``) in the reader's digits, for a refusal's «like …» (late import:
    ``_typed``)."""
    from core.text import digits

    return digits(datetime_example() if with_time else date_example())


# A Jalali date's shape (year/month/day, any separator of the two, a time after it or not), its digits ASCII.
_DATE_SHAPE = re.compile(r"(\d{3,4})[/-](\d{1,2})[/-](\d{1,2})(?:[ T]+\d{1,2}:\d{1,2}(?::\d{1,2})?)?")


def no_such_day(value: str) -> str:
    """The refusal of a value shaped as a Jalali date whose day does not exist («1403/13/40»), in the same words
    in every form and API field and the import; "" for any other value (its refusal gives the example of the
    shape to type). core.text imports this module, hence the late import (errors only)."""
    from core.text import isolate

    typed = str(value).strip()
    shape = _DATE_SHAPE.fullmatch(ascii_digits(typed))
    if shape is None:
        return ""
    try:
        jdatetime.date(*(int(part) for part in shape.groups()))
    except ValueError:
        return _("%(value)s is not a Jalali date: there is no such day.") % {"value": isolate(typed[:40])}
    return ""


def _jalali_date(text: str, *, typed: str) -> dt.date:
    """``parse_jalali_date``; a refusal quotes ``typed`` (a date and time's whole text, in its own digits)."""
    s = ascii_digits(text.strip()).replace("-", "/")
    if s[:4].isdigit() and int(s[:4]) >= 1700:  # 2026-12-01: a Gregorian date typed, not the year 2647
        raise ValueError(
            _("'%(value)s' is a Gregorian date, not a Jalali one (YYYY/MM/DD, like %(example)s)")
            % {"value": _typed(typed), "example": _example()}
        )
    try:
        y, m, d = (int(p) for p in s.split("/"))
        return jdatetime.date(y, m, d).togregorian()
    except (ValueError, TypeError) as exc:
        raise ValueError(
            no_such_day(typed)
            or _("'%(value)s' is not a Jalali date (YYYY/MM/DD, like %(example)s)")
            % {"value": _typed(typed), "example": _example()}
        ) from exc


def jalali_month_bounds(year: int, month: int) -> tuple[dt.datetime, dt.datetime]:
    """Start (inclusive) and end (exclusive) of a Jalali month, midnight Asia/Tehran."""
    if not 1 <= month <= 12:
        raise ValueError(f"month {month} is not 1..12")
    start = jdatetime.date(year, month, 1).togregorian()
    ny, nm = (year + 1, 1) if month == 12 else (year, month + 1)
    end = jdatetime.date(ny, nm, 1).togregorian()
    return (
        dt.datetime.combine(start, dt.time(), tzinfo=TEHRAN),
        dt.datetime.combine(end, dt.time(), tzinfo=TEHRAN),
    )


def jalali_month_of(value: dt.datetime) -> tuple[int, int]:
    j = to_jalali(value)
    return j.year, j.month


def previous_jalali_month(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)


def month_label(year: int, month: int, persian: bool = True) -> str:
    """The month by its name: ``آبان ۱۴۰۵``, or ``Aban 1405`` for an English page (not «1405/08», which reads
    as a figure or a date beside a month named elsewhere on the page)."""
    if persian:
        return persian_digits(f"{JALALI_MONTHS[month - 1]} {year}")
    return f"{JALALI_MONTHS_EN[month - 1]} {year}"


def page_month_label(year: int, month: int) -> str:
    """``month_label`` in the page's language: ``آبان ۱۴۰۵`` on Persian pages, ``Aban 1405`` on English ones."""
    from django.utils.translation import get_language

    return month_label(year, month, persian=(get_language() or "fa").startswith("fa"))


# The same label: the returns' submissions table named its months before every other page did.
month_name_label = page_month_label


def parse_datetime_any(text: str) -> dt.datetime:
    """An export's timestamp: ISO 8601 (offset or UTC 'Z'; naive means Tehran) or Jalali
    ``1404/05/12[ 10:30[:00]]`` in Tehran time, in any digit script. ValueError names the text, in the
    active language."""
    s = ascii_digits(str(text).strip())
    if not s:
        raise ValueError(_("the date is empty"))
    if len(s) >= 4 and s[:4].isdigit() and int(s[:4]) < 1700:
        date_part, _sep, time_part = s.replace("T", " ").partition(" ")
        d = _jalali_date(date_part, typed=str(text).strip())
        try:
            t = dt.time.fromisoformat(time_part) if time_part else dt.time()
        except ValueError as exc:
            raise ValueError(_("'%(value)s' has a bad time (HH:MM)") % {"value": _typed(str(text).strip())}) from exc
        return dt.datetime.combine(d, t, tzinfo=TEHRAN)
    try:
        value = dt.datetime.fromisoformat(s.replace("Z", "+00:00"))
    except ValueError as exc:
        typed = _typed(str(text).strip())
        message = _("'%(value)s' is not a date (ISO 8601 or Jalali YYYY/MM/DD HH:MM, like %(example)s)") % {
            "value": typed,
            "example": _example(with_time=True),
        }
        raise ValueError(message) from exc
    return value if value.tzinfo else value.replace(tzinfo=TEHRAN)
