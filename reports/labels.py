"""The monthly return's labels: figure, reason and age names, the serial list's header, the
standing line, place names and Jalali days. Persian: the return is an official Persian
document for headquarters, like the letters.

Both the Python exports (``exports``) and PostgreSQL's own writer of the serial list
(``serials_pg``) read them from here.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import jdatetime

from accounts.models import CustomsOffice, Province
from core.dates import TEHRAN, format_jalali
from core.text import name_sort_key
from core.xlsx import office_label

from . import page_labels
from .page_labels import InPersian

# The figures' labels in Persian: the page's own (``page_labels``), one label per figure for page and files.
BALANCE_LABELS = InPersian(page_labels.BALANCE, indent=page_labels.BALANCE_PARTS)
# Statutory milestones of smuggling cases (the return's section "cases by milestone").
MILESTONE_LABELS = InPersian(page_labels.MILESTONE_KINDS)
MILESTONE_METRIC_LABELS = InPersian(page_labels.MILESTONE_METRICS)
# The anti-smuggling rules' section of the return (``returns.serial_rules``).
SERIAL_RULES_LABELS = InPersian(page_labels.SERIAL_RULES)
# Reused scans and their reviews (``returns.scan_reuse``).
SCAN_REUSE_LABELS = InPersian(page_labels.SCAN_REUSE)
REASON_LABELS = InPersian(page_labels.REASONS)
FOREIGN_TRUCK_LABELS = InPersian(page_labels.FOREIGN_TRUCKS)
# Days past the deadline at the end of the month, or at arrival for a declaration that arrived before it.
AGE_NOTE = (
    "اظهارنامه‌ای که وصول شده است با روزهای تأخیرش در زمان وصول شمرده می‌شود "
    "(اگر در مهلت وصول شده، در ردیف «مهلت نگذشته یا وصول در مهلت»)، "
    "نه با مدتی که از آن پس در انتظار تسویه مانده است؛ آن مدت در ستون «روز از وصول» فهرست سریال‌ها آمده است."
)
AGE_LABELS = InPersian(page_labels.AGES)
SERIAL_HEADER = [
    "شماره سریال",
    "گمرک مبدأ",
    "گمرک مقصد",
    "تاریخ اظهار",
    "مهلت ترانزیت",
    "تاریخ وصول",
    # The transit deadline's clock stops at arrival: an arrived declaration is counted by the days it was
    # late on arrival (none if in time); its wait for the settlement since is the last column.
    "روز پس از مهلت (تا وصول یا پایان ماه)",
    "کد علت",
    "علت",
    "توضیح",
    "روز از وصول (در انتظار تسویه)",
]


def standing_key(figures: dict) -> str:
    """The return's standing, the one source for its page and every file: ``final`` (the month had ended when
    it was built) or ``provisional`` (counted up to its cut-off). Whether a version was submitted to
    headquarters is the record's, not the figures': it changes after the files are sealed, so only the page
    says it."""
    return "provisional" if figures.get("provisional") else "final"


STANDING_HEAD = "وضعیت ارقام"


def standing(figures: dict) -> str:
    """The standing in the files' Persian (``standing_key``): final, or provisional with its cut-off."""
    if standing_key(figures) == "provisional":
        until = format_jalali(dt.datetime.fromisoformat(figures["end"]))
        return f"موقت: ماه هنوز تمام نشده است؛ ارقام تا {until}"
    return "قطعی (پایان ماه)"


@lru_cache(maxsize=20000)
def jalali_of_date(d: dt.date) -> str:
    return jdatetime.date.fromgregorian(date=d).strftime("%Y/%m/%d")


_TEHRAN_OFFSET = dt.timedelta(hours=3, minutes=30)  # Iran has kept UTC+03:30 all year since 2022


def jday_iso(value: str | None) -> str:
    """A date the figures store as ISO text (``2026-11-11``) as a Jalali date, ASCII digits."""
    return jalali_of_date(dt.date.fromisoformat(value)) if value else ""


def jday(value: dt.datetime | None) -> str:
    """Jalali date in Tehran, ASCII digits; cached per day (a million rows share ~2,000 days).

    Dates from 2023 on shift by the fixed offset (fast path); older ones go through the
    zone database, which knows the former summer time."""
    if value is None:
        return ""
    if value.year >= 2023:
        return jalali_of_date((value.astimezone(dt.UTC) + _TEHRAN_OFFSET).date())
    return jalali_of_date(value.astimezone(TEHRAN).date())


def place_names() -> dict[str, dict[str, str]]:
    """Persian names of provinces and offices by code: the figures keep codes (stable, short),
    the pages and files show ``name (code)``."""
    return {
        "province": dict(Province.objects.values_list("code", "name_fa")),
        "office": dict(CustomsOffice.objects.values_list("code", "name_fa")),
    }


def in_name_order(rows: list[dict], key: str, names: dict[str, str]) -> list[dict]:
    """A return's rows by place (``key``: its provinces, its offices' compliance) as its pages, PDF and XLSX list
    them: by the places' names (``names``, by code) in the order a reader looks a name up in
    (``core.text.name_sort_key``), a code naming nothing we know after them. The figures keep their own order
    (by code): they are sealed, and sorted only as they are shown."""
    return sorted(rows, key=lambda row: name_sort_key(names.get(row[key] or "") or "\uffff" + (row[key] or "")))


def place_label(code: str, names: dict[str, str]) -> str:
    """``آذربایجان غربی (WAZ)``; the code alone when it names nothing we know."""
    return office_label(names.get(code or ""), code)
