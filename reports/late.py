"""Late changes: a declaration created or moved (``hooks.declaration_changes``), or an inspection recorded
(``inspection_record``), after a monthly return was submitted, at a time inside the period that return
counted. The submitted return and its files stay as they were (evidence); its page says how many changes came
since, lists them and offers a new version. Headquarters (and the province's inspectors, for a province's
return) are told once per return per day."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

from core.dates import TEHRAN, jalali_month_bounds, jalali_month_of, to_jalali, to_tehran
from declarations.hooks import DeclarationChange
from declarations.models import Source
from notifications.messages import Message, Month, Name, Number
from notifications.services import Kind, headquarters, inspectors_of, notify

from .models import INSPECTED, Inspection, LateChange, MonthlyReturn, ReturnStatus


def _counted_until(row: MonthlyReturn) -> dt.datetime:
    """Up to when the return counted: its month's end, or its build for a provisional one."""
    end = jalali_month_bounds(row.year, row.month)[1]
    return min(end, row.built_at) if row.provisional else end


def record(changes: list[DeclarationChange]) -> None:
    """Record each change dated inside the period of a submitted return of its province or of the nation
    (the latest submitted version of each), in the caller's transaction. One indexed query per month the
    changes fall in (``return_submitted_month``); a change outside every submitted period writes nothing."""
    by_month: dict[tuple[int, int], list[DeclarationChange]] = {}
    for change in changes:
        by_month.setdefault(jalali_month_of(change.at), []).append(change)
    touched: dict[int, MonthlyReturn] = {}
    rows = []
    for (year, month), found in by_month.items():
        latest = _latest_submitted(year, month)
        if not latest:
            continue
        start = jalali_month_bounds(year, month)[0]
        for change in found:
            for scope in (None, change.province_id):
                row = latest.get(scope)
                if row is None or not start <= change.at < _counted_until(row):
                    continue
                touched[row.pk] = row
                rows.append(
                    LateChange(
                        monthly_return=row,
                        declaration_id=change.declaration_id,
                        serial=change.serial,
                        what=change.what,
                        status=change.status,
                        at=change.at,
                        by_id=change.by_id,
                        source=change.source,
                        source_ref=change.source_ref[:200],
                    )
                )
    if not rows:
        return
    LateChange.objects.bulk_create(rows)
    for row in touched.values():
        _tell(row)


def _latest_submitted(year: int, month: int) -> dict[int | None, MonthlyReturn]:
    """The latest submitted version of each scope's return of the month, by province id (None: the nation's).
    One query on ``return_submitted_month``."""
    submitted = (
        MonthlyReturn.objects.filter(status=ReturnStatus.SUBMITTED, year=year, month=month)
        .select_related("province")
        .order_by("province_id", "-version")
    )
    latest: dict[int | None, MonthlyReturn] = {}
    for row in submitted:
        latest.setdefault(row.province_id, row)  # the latest submitted version of each scope
    return latest


def record_inspection(inspection: Inspection) -> None:
    """Record ``inspection`` against the submitted returns that counted its day (the latest submitted version
    of its office's province's return and of the nation's), in the caller's transaction: their figure
    «inspections done» no longer matches the data. A return counts the Tehran days of its period, a provisional
    one up to and including the day of its cut-off (``returns.inspections_and_problems``)."""
    on = inspection.inspected_on
    day = to_jalali(on)
    year, month = day.year, day.month
    latest = _latest_submitted(year, month)
    # The day is dated by its first moment in Tehran: inside the period it was counted in.
    at = dt.datetime.combine(on, dt.time(), tzinfo=TEHRAN)
    rows = []
    for scope in (None, inspection.office.province_id):
        row = latest.get(scope)
        if row is None:
            continue
        # The day is in the month; a provisional return counted up to its cut-off's day only.
        if on > to_tehran(_counted_until(row) - dt.timedelta(microseconds=1)).date():
            continue
        rows.append(
            LateChange(
                monthly_return=row,
                inspection=inspection,
                what=INSPECTED,
                at=at,
                by_id=inspection.inspector_id,
                source=Source.USER,
            )
        )
    if not rows:
        return
    LateChange.objects.bulk_create(rows)
    for change in rows:
        _tell(change.monthly_return)


def _tell(row: MonthlyReturn) -> None:
    """Once per return per (Tehran) day, however many changes come that day."""
    today = to_jalali(timezone.now()).strftime("%Y-%m-%d")
    recipients = list(headquarters())
    if row.province_id:
        recipients += list(inspectors_of(row.province_id))
    scope = Name.of(row.province) if row.province else Message(gettext_noop("Whole country"))
    notify(
        Kind.RETURN_LATE_CHANGE,
        recipients,
        title=Message(
            gettext_noop("Changes after submission in the return of %(month)s · %(scope)s · %(version)s"),
            month=Month(row.year, row.month),
            scope=scope,
            version=Message(gettext_noop("version %(v)d"), v=Number(row.version)),
        ),
        url=reverse("reports:return", args=[row.pk]),
        subject=f"return-late:{row.pk}:{today}",
    )
