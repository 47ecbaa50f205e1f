"""The monthly settlement return: figures for one Jalali month, one province or the nation.

Definitions (docs/monthly-return.md is the long form):

- A declaration belongs to the province of its ORIGIN office, so the national return is
  exactly the sum of the provincial ones.
- It *ends* at ``ended = COALESCE(settled_at, closed_at, cancelled_at)`` (terminal states;
  the first non-null in that order decides which kind of end). It is *open* (unsettled, in
  the balance) at instant t when ``declared_at < t`` and it has not ended before t. An end
  dated before the declaration itself (bad data) counts as ending when it was declared.
- For the month [start, end) in Asia/Tehran:
  opening = open at start; new = declared in the month; settled = ended in the month by
  settlement (on time / late); closed after a judicial case = ended in the month by closing (not
  a settlement: its own line); cancelled = ended in the month by cancellation; closing = open at
  end. Hence opening + new − settled − closed after a case − cancelled = closing, exactly, for
  any data, and settled on time + settled late = settled.
- The closing balance is broken down by reason (the recorded reason if recorded before
  the end, else awaiting settlement / overdue / in transit / not departed) and by days past
  the deadline; both breakdowns sum to ``closing``. The transit deadline's clock stops at
  arrival: a declaration that arrived before the end is past its deadline by the days it was
  late on arrival (none when it arrived in time), not by the time it has since waited for its
  settlement; that wait is the serial list's own column, days since arrival.

Everything is a handful of grouped COUNT queries over the declarations table alone; the
row set is bounded by ``declared_at < end AND (settled_at IS NULL OR settled_at >= start
OR declared_at >= start)``, which the settled_at and declared_at indexes serve.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from functools import partial
from itertools import groupby, islice
from typing import Any, TypeVar

from django.db import connection
from django.db.models import (
    Case,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Collate, TruncDate
from django.utils import timezone

from accounts.models import CustomsOffice, Province
from casework.models import CaseMilestone, FollowUpLetter, JudicialAction, JudicialCase, MilestoneKind
from core.dates import TEHRAN, jalali_month_bounds, month_label
from core.text import identifier
from declarations import ageing
from declarations.models import (
    MAY_HOLD_SETTLEMENT,
    OPEN_STATUSES,
    DeclarationEvent,
    PermitWaiver,
    TrafficPermit,
    TransitDeclaration,
    UnsettledReason,
)

# Derived states of an open declaration that has no recorded reason.
DERIVED_REASONS = {
    "awaiting_settlement": "arrived, awaiting settlement",
    "overdue": "no arrival by the deadline",
    "in_transit": "in transit within the deadline",
    "not_departed": "registered, not departed",
}
REASON_KEYS = [*UnsettledReason.values, *DERIVED_REASONS]
RECORDED_REASONS = frozenset(UnsettledReason.values)  # looked up per row: no enum call in the loop
# Days past the deadline at the end of the month: (key, lowest day, highest day).
AGE_BUCKETS = [(key, low, high) for key, low, high, _label in ageing.BUCKETS]  # the dashboard's buckets too
OVER_90 = 91  # the first day of "over 90" (a subset of over_40, not added to the sum)
AGE_KEYS = ["not_due", *(k for k, _a, _b in AGE_BUCKETS), "over_90"]
BALANCE_KEYS = [
    "opening",
    "new",
    "settled",
    "settled_on_time",
    "settled_late",
    "closed_after_case",
    "cancelled",
    "closing",
]
DAY = dt.timedelta(days=1)


# --- past the deadline: the one rule ------------------------------------------------------------
# A declaration is past its deadline at instant t when ``deadline < t``: a deadline at exactly
# t has not passed (it had until t). Its age is then ``floor((t - deadline) / 1 day)`` whole
# days, 0 for the first day. The deadline is the transit's: its clock stops at arrival, so a
# declaration that arrived before the end of the month is aged at its arrival (``clock_stop``). The counts (``overdue_at``, ``age_q``), the serial list
# (``days_past_deadline``, ``age_keys``) and the PostgreSQL list (``overdue_sql``,
# ``days_past_sql``) are all written from these few lines.


def overdue_at(t: dt.datetime) -> Q:
    return Q(deadline__lt=t)


def days_past_deadline(deadline: dt.datetime | None, t: dt.datetime) -> int | None:
    """Whole days past the deadline at ``t``; None when there is none or it has not passed."""
    if deadline is None or not deadline < t:
        return None
    return (t - deadline) // DAY


def clock_stop(arrived: dt.datetime | None, end: dt.datetime) -> dt.datetime:
    """When the transit deadline's clock stopped, seen at ``end``: at arrival, if before ``end``."""
    return arrived if arrived is not None and arrived < end else end


def days_since_arrival(arrived: dt.datetime | None, end: dt.datetime) -> int | None:
    """Whole days an arrived declaration has waited for its settlement at ``end``; None before arrival."""
    return (end - arrived) // DAY if arrived is not None and arrived < end else None


def _days_at_least(t, days: int) -> Q:
    """Past the deadline at ``t`` (an instant, or ``F("arrived_at")``) by ``days`` whole days or more."""
    return Q(deadline__lt=t) & Q(deadline__lte=t - dt.timedelta(days=days))


def _age_at(t, key: str) -> Q:
    if key == "not_due":
        return ~Q(deadline__lt=t) | Q(deadline__isnull=True)
    if key == "over_90":
        return _days_at_least(t, OVER_90)
    low, high = next((a, b) for k, a, b in AGE_BUCKETS if k == key)
    q = _days_at_least(t, low)
    return q & ~_days_at_least(t, high + 1) if high is not None else q


def age_q(t: dt.datetime, key: str) -> Q:
    """The open declarations of one age bucket at ``t`` (``not_due`` included), as ``age_keys`` sorts them:
    aged at their arrival when they arrived before ``t`` (``clock_stop``), else at ``t``."""
    arrived = Q(arrived_at__lt=t)
    return (arrived & _age_at(F("arrived_at"), key)) | (~arrived & _age_at(t, key))


def age_keys(days: int | None) -> list[str]:
    """The buckets a serial with ``days`` past its deadline is counted in (over 90 also in over 40)."""
    if days is None:
        return ["not_due"]
    keys = [k for k, low, high in AGE_BUCKETS if low <= days and (high is None or days <= high)]
    return [*keys, "over_90"] if days >= OVER_90 else keys


def overdue_sql(deadline: str, t: str) -> str:
    """``overdue_at`` in SQL, for column ``deadline`` at the instant placeholder ``t``."""
    return f"{deadline} < {t}"


def clock_stop_sql(arrived: str, t: str) -> str:
    """``clock_stop`` in SQL."""
    return f"(CASE WHEN {arrived} < {t} THEN {arrived} ELSE {t} END)"


def days_since_arrival_sql(arrived: str, t: str) -> str:
    """``days_since_arrival`` in SQL (PostgreSQL): NULL before arrival."""
    return f"(CASE WHEN {arrived} < {t} THEN floor(date_part('epoch', {t} - {arrived}) / 86400)::bigint END)"


def days_past_sql(deadline: str, t: str) -> str:
    """``days_past_deadline`` in SQL (PostgreSQL): NULL when not past (``t``: ``clock_stop_sql``'s instant)."""
    # date_part gives a float (extract a numeric, several times slower); whole days stay exact.
    return (
        f"(CASE WHEN {overdue_sql(deadline, t)} THEN floor(date_part('epoch', {t} - {deadline}) / 86400)::bigint END)"
    )


def base_rows(start: dt.datetime, end: dt.datetime, qs: QuerySet | None = None) -> QuerySet:
    """Declarations that can count in the month; a superset bounded by indexed columns."""
    qs = TransitDeclaration.objects.all() if qs is None else qs
    return qs.filter(
        Q(declared_at__lt=end) & (Q(settled_at__isnull=True) | Q(settled_at__gte=start) | Q(declared_at__gte=start))
    ).annotate(ended=Coalesce("settled_at", "closed_at", "cancelled_at"))


def _open_at(t: dt.datetime) -> Q:
    return Q(declared_at__lt=t) & (Q(ended__isnull=True) | Q(ended__gte=t))


def reason_recorded(end: dt.datetime) -> Q:
    # A reason without a timestamp (imported) counts as recorded.
    return ~Q(unsettled_reason="") & ~Q(unsettled_at__gte=end)


def _aggregates(start: dt.datetime, end: dt.datetime) -> dict[str, Count]:
    ended_in_month = Q(ended__lt=end, declared_at__lt=end) & (Q(ended__gte=start) | Q(declared_at__gte=start))
    settled = ended_in_month & Q(settled_at__isnull=False)
    on_time = Q(deadline__isnull=True) | Q(arrived_at__isnull=False, arrived_at__lte=F("deadline"))
    closed = ended_in_month & Q(settled_at__isnull=True, closed_at__isnull=False)
    closing = _open_at(end)
    recorded = reason_recorded(end)
    arrived = Q(arrived_at__lt=end)
    overdue = overdue_at(end)
    departed = Q(departed_at__lt=end)
    aggs = {
        "opening": Count("pk", filter=_open_at(start)),
        "new": Count("pk", filter=Q(declared_at__gte=start, declared_at__lt=end)),
        "settled_on_time": Count("pk", filter=settled & on_time),
        "settled_late": Count("pk", filter=settled & ~on_time),
        "closed_after_case": Count("pk", filter=closed),
        "cancelled": Count("pk", filter=ended_in_month & Q(settled_at__isnull=True, closed_at__isnull=True)),
        "closing": Count("pk", filter=closing),
        "r_awaiting_settlement": Count("pk", filter=closing & ~recorded & arrived),
        "r_overdue": Count("pk", filter=closing & ~recorded & ~arrived & overdue),
        "r_in_transit": Count("pk", filter=closing & ~recorded & ~arrived & ~overdue & departed),
        "r_not_departed": Count("pk", filter=closing & ~recorded & ~arrived & ~overdue & ~departed),
    }
    for value in UnsettledReason.values:
        aggs[f"r_{value}"] = Count("pk", filter=closing & recorded & Q(unsettled_reason=value))
    for key in AGE_KEYS:
        aggs[f"a_{key}"] = Count("pk", filter=closing & age_q(end, key))
    return aggs


def _shape(row: dict) -> dict:
    out = {k: row.get(k) or 0 for k in BALANCE_KEYS if k != "settled"}
    out["settled"] = out["settled_on_time"] + out["settled_late"]  # a closed case is not a settlement
    out["unsettled_by_reason"] = {k: row.get(f"r_{k}") or 0 for k in REASON_KEYS}
    out["unsettled_by_age"] = {k: row.get(f"a_{k}") or 0 for k in AGE_KEYS}
    return {k: out[k] for k in [*BALANCE_KEYS, "unsettled_by_reason", "unsettled_by_age"]}


def office_ids(province: Province | None) -> list[int] | None:
    if province is None:
        return None
    return list(CustomsOffice.objects.filter(province=province).values_list("pk", flat=True))


def balance(start: dt.datetime, end: dt.datetime, province: Province | None = None) -> dict:
    """Balance and breakdowns for one province (by origin) or, with None, the nation. One query."""
    qs = base_rows(start, end)
    if province is not None:
        qs = qs.filter(origin_id__in=office_ids(province))
    return _shape(qs.aggregate(**_aggregates(start, end)))


def balance_by_office(start: dt.datetime, end: dt.datetime, ids: list[int]) -> dict[int, dict]:
    """The figures of each of these origin offices (one grouped query): a province's office parts."""
    rows = (
        base_rows(start, end)
        .filter(origin_id__in=ids)
        .values("origin_id")
        .annotate(**_aggregates(start, end))
        .order_by()
    )
    return {row.pop("origin_id"): _shape(row) for row in rows}


def balance_by_province(start: dt.datetime, end: dt.datetime) -> dict[int, dict]:
    """The same figures for every province at once (one grouped query): the national roll-up."""
    rows = base_rows(start, end).values("origin__province_id").annotate(**_aggregates(start, end)).order_by()
    return {row.pop("origin__province_id"): _shape(row) for row in rows}


def add_up(parts: list[dict]) -> dict:
    total = _shape({})
    for part in parts:
        for k in BALANCE_KEYS:
            total[k] += part[k]
        for group in ("unsettled_by_reason", "unsettled_by_age"):
            for k, v in part[group].items():
                total[group][k] += v
    return total


# --- the serial list (directive point 8) ------------------------------------------------------

SERIAL_COLUMNS = [
    "serial",
    "origin",
    "destination",
    "declared_at",
    "deadline",
    "arrived_at",
    "days_past_deadline",
    "reason",
    "note",
    "days_since_arrival",
]


# What a serial row carries after its serial and offices (``reason_key`` reads them in this order).
UNSETTLED_FIELDS = (
    "declared_at",
    "deadline",
    "arrived_at",
    "departed_at",
    "unsettled_reason",
    "unsettled_at",
    "unsettled_note",
)


def unsettled_rows(start: dt.datetime, end: dt.datetime, province: Province | None = None) -> QuerySet:
    qs = base_rows(start, end).filter(_open_at(end))
    if province is not None:
        qs = qs.filter(origin_id__in=office_ids(province))
    # Byte order (PostgreSQL's "C"; SQLite's default): the same in both databases and in
    # Python, and a cheaper sort than the locale's.
    by_serial = Collate("serial", "C") if connection.vendor == "postgresql" else "serial"
    return qs.order_by(by_serial).values_list("serial", "origin__code", "destination__code", *UNSETTLED_FIELDS)


def reason_key(row: tuple, end: dt.datetime) -> str:
    """The same rule as the ``r_*`` counts, for one row of ``unsettled_rows``."""
    _s, _o, _d, _decl, deadline, arrived, departed, reason, reason_at, _n = row
    if reason and (reason_at is None or reason_at < end):
        return reason
    if arrived is not None and arrived < end:
        return "awaiting_settlement"
    if days_past_deadline(deadline, end) is not None:
        return "overdue"
    if departed is not None and departed < end:
        return "in_transit"
    return "not_departed"


def iter_unsettled(
    start: dt.datetime,
    end: dt.datetime,
    province: Province | None = None,
    chunk_size: int = 5000,
    limit: int | None = None,
    most_overdue_first: bool = False,
) -> Iterator[dict]:
    """Every declaration open at the end of the month (or the first ``limit``), by serial or
    oldest deadline first, streamed through a server-side cursor on PostgreSQL: memory stays flat."""
    rows = unsettled_rows(start, end, province)
    if most_overdue_first:  # the longest past the deadline when the clock stopped
        stop = Case(When(arrived_at__lt=end, then=F("arrived_at")), default=Value(end))
        margin = ExpressionWrapper(F("deadline") - stop, output_field=DurationField())
        rows = rows.order_by(margin.asc(nulls_last=True), "serial")
    if limit is not None:
        rows = rows[:limit]
    for row in rows.iterator(chunk_size=chunk_size):
        serial, origin, destination, declared, deadline, arrived, _dep, _r, _ra, note = row
        days = days_past_deadline(deadline, clock_stop(arrived, end))
        key = reason_key(row, end)
        yield {
            "serial": serial,
            "origin": origin,
            "destination": destination,
            "declared_at": declared,
            "deadline": deadline,
            # The list is the month's end as it stood: an arrival after it is not there yet.
            "arrived_at": arrived if arrived is not None and arrived < end else None,
            "days_past_deadline": days,
            "reason": key,
            "note": note if key in RECORDED_REASONS else "",
            "days_since_arrival": days_since_arrival(arrived, end),
        }


# --- casework, inspections, problems, compliance ----------------------------------------------


def _local_dates(start: dt.datetime, end: dt.datetime) -> tuple[dt.date, dt.date]:
    """The Tehran days [d0, d1) of the period: a provisional cut-off in the day includes that day."""
    last = (end - dt.timedelta(microseconds=1)).astimezone(TEHRAN).date()
    return start.astimezone(TEHRAN).date(), last + DAY


def case_open_at(d1: dt.date, path: str = "") -> Q:
    """Judicial cases still open at the end of the period whose days end before ``d1``: opened before it and
    with no outcome before it. ``path``: the way to the case (``case__`` from a milestone). The one rule for
    both "cases open at the end of the month" and the milestones still owed then (a closed case owes none:
    its unmet steps are history, as ``MilestoneQuerySet.overdue`` has them)."""
    return Q(**{f"{path}opened_on__lt": d1}) & (
        Q(**{f"{path}outcome_on__isnull": True}) | Q(**{f"{path}outcome_on__gte": d1})
    )


# The cases opened and the case actions of the month that the figures keep (the PDF names ``PDF_CASE_LIMIT`` of
# each): oldest first, by day then file number. Their true counts are ``cases.opened`` and ``cases.actions``; the
# XLSX built with the return lists them all, streamed from the database when the file is written (``case_lists``).
CASE_LIST_LIMIT = 500

_DIGITS = re.compile(r"[0-9]+")
_Row = TypeVar("_Row")


def file_number_order(file_number: str) -> tuple:
    """A judicial file number's place among a day's cases: by its numbers (year, then sequence: «1405-673» before
    «1405-2145», which come the other way round as text), whatever digits were typed, then by its text."""
    text = identifier(file_number).upper()
    return tuple(int(n) for n in _DIGITS.findall(text)), text


def _by_file_number(rows: Iterable[_Row], day: Callable[[_Row], Any], number: Callable[[_Row], str]) -> Iterator[_Row]:
    """``rows``, ordered by day, each day's by ``file_number_order``: the database orders the days (and a number's
    text), a day's rows are sorted here one day at a time, so a streamed list stays streamed."""
    for _day, group in groupby(rows, key=day):
        yield from sorted(group, key=lambda row: file_number_order(number(row)))


def _case_scope(
    start: dt.datetime, end: dt.datetime, province: Province | None, office: CustomsOffice | None
) -> tuple[QuerySet, QuerySet, QuerySet]:
    """The scope's cases, the cases opened in the period and the actions dated in it, each oldest first."""
    d0, d1 = _local_dates(start, end)
    cases = JudicialCase.objects.all()
    actions = JudicialAction.objects.all()
    if office is not None:
        cases = cases.filter(declaration__origin=office)
        actions = actions.filter(case__declaration__origin=office)
    elif province is not None:
        cases = cases.filter(declaration__origin__province=province)
        actions = actions.filter(case__declaration__origin__province=province)
    opened = (
        cases.filter(opened_on__gte=d0, opened_on__lt=d1)
        .select_related("declaration")
        .order_by("opened_on", "file_number", "pk")
    )
    month_actions = (
        actions.filter(on__gte=d0, on__lt=d1)
        .select_related("case__declaration")
        .order_by("on", "case__file_number", "pk")
    )
    return cases, opened, month_actions


def _opened_item(c: JudicialCase) -> dict:
    return {
        "file_number": c.file_number,
        "authority": c.authority,
        "branch": c.branch,  # named with the authority («… شعبهٔ ۲»): exports.case_authority
        "serial": c.declaration.serial,
        "opened_on": c.opened_on.isoformat(),
        "goods_value": str(c.goods_value),
    }


def _action_item(a: JudicialAction) -> dict:
    return {
        "file_number": a.case.file_number,
        "serial": a.case.declaration.serial,
        "on": a.on.isoformat(),
        "action": a.action[:500],
    }


def case_lists(
    start: dt.datetime, end: dt.datetime, province: Province | None, office: CustomsOffice | None = None
) -> tuple[Iterator[dict], Iterator[dict]]:
    """Every case opened in the period and every action dated in it, as the figures' lists word them, oldest
    first, streamed (the XLSX's sheet «پرونده‌های قضایی»): read in the transaction that counts the figures,
    they are the rows ``cases.opened`` and ``cases.actions`` count."""
    _cases, opened, month_actions = _case_scope(start, end, province, office)
    return (
        (_opened_item(c) for c in _opened_in_order(opened.iterator(chunk_size=1000))),
        (_action_item(a) for a in _actions_in_order(month_actions.iterator(chunk_size=1000))),
    )


def _opened_in_order(cases: Iterable[JudicialCase]) -> Iterator[JudicialCase]:
    return _by_file_number(cases, lambda c: c.opened_on, lambda c: c.file_number)


def _actions_in_order(actions: Iterable[JudicialAction]) -> Iterator[JudicialAction]:
    return _by_file_number(actions, lambda a: a.on, lambda a: a.case.file_number)


CASEWORK_COUNTS = {
    "letters": ["sent", "answered", "awaiting_reply_at_end"],
    "cases": ["opened", "open_at_end", "actions"],
}


def casework(
    start: dt.datetime,
    end: dt.datetime,
    province: Province | None,
    office: CustomsOffice | None = None,
    *,
    by_office: dict[int, dict] | None = None,
) -> dict:
    """Letters of the scope's offices, cases (and their actions) of declarations from them; with
    ``office``, that office's part only. ``by_office``: a province's casework by office (``casework_by_office``),
    an office's part, or (no ``office``) the sum of their counts, the province's, taken from them (the province's
    lists are its own: each keeps its first ``CASE_LIST_LIMIT``)."""
    if by_office is not None and office is not None:
        return by_office.get(office.pk) or _no_casework()
    _d0, d1 = _local_dates(start, end)
    letters = FollowUpLetter.objects.all()
    if office is not None:
        letters = letters.filter(from_office=office)
    elif province is not None:
        letters = letters.filter(from_office__province=province)
    cases, opened, month_actions = _case_scope(start, end, province, office)
    if by_office is not None:
        counts = {
            group: {key: sum(part[group][key] for part in by_office.values()) for key in keys}
            for group, keys in CASEWORK_COUNTS.items()
        }
    else:
        counts = {
            "letters": {
                "sent": letters.filter(sent_at__gte=start, sent_at__lt=end).count(),
                "answered": letters.filter(answered_at__gte=start, answered_at__lt=end).count(),
                "awaiting_reply_at_end": letters.filter(sent_at__lt=end)
                .filter(Q(answered_at__isnull=True) | Q(answered_at__gte=end))
                .count(),
            },
            "cases": {
                "opened": opened.count(),
                "open_at_end": cases.filter(case_open_at(d1)).count(),
                "actions": month_actions.count(),
            },
        }
    return {
        "letters": counts["letters"],
        "cases": {
            **counts["cases"],
            # the first CASE_LIST_LIMIT of each, oldest first (the XLSX lists them all: case_lists)
            # (a day's rows are ordered here: read up to the end of the day the limit falls in)
            "opened_list": [
                _opened_item(c) for c in islice(_opened_in_order(opened.iterator(chunk_size=100)), CASE_LIST_LIMIT)
            ],
            "actions_list": [
                _action_item(a)
                for a in islice(_actions_in_order(month_actions.iterator(chunk_size=100)), CASE_LIST_LIMIT)
            ],
        },
    }


def _no_casework() -> dict:
    none: dict[str, dict[str, Any]] = {group: dict.fromkeys(keys, 0) for group, keys in CASEWORK_COUNTS.items()}
    none["cases"].update(opened_list=[], actions_list=[])
    return none


def casework_by_office(start: dt.datetime, end: dt.datetime, province: Province) -> dict[int, dict]:
    """A province's casework counts (``casework``) by office, three grouped queries: letters by the office that
    sent them, cases and actions by their declaration's origin (the province's offices are both)."""
    d0, d1 = _local_dates(start, end)
    out: dict[int, dict] = {}

    def part(office_id: int) -> dict:
        return out.setdefault(office_id, _no_casework())

    for row in (
        FollowUpLetter.objects.filter(from_office__province=province)
        .values("from_office_id")
        .annotate(
            sent=Count("pk", filter=Q(sent_at__gte=start, sent_at__lt=end)),
            answered=Count("pk", filter=Q(answered_at__gte=start, answered_at__lt=end)),
            awaiting_reply_at_end=Count(
                "pk", filter=Q(sent_at__lt=end) & (Q(answered_at__isnull=True) | Q(answered_at__gte=end))
            ),
        )
        .order_by()
    ):
        part(row.pop("from_office_id"))["letters"].update(row)
    for row in (
        JudicialCase.objects.filter(declaration__origin__province=province)
        .filter(Q(opened_on__gte=d0, opened_on__lt=d1) | case_open_at(d1))
        .values("declaration__origin_id")
        .annotate(
            opened=Count("pk", filter=Q(opened_on__gte=d0, opened_on__lt=d1)),
            open_at_end=Count("pk", filter=case_open_at(d1)),
        )
        .order_by()
    ):
        part(row.pop("declaration__origin_id"))["cases"].update(row)
    for office_id, n in (
        JudicialAction.objects.filter(case__declaration__origin__province=province, on__gte=d0, on__lt=d1)
        .values("case__declaration__origin_id")
        .annotate(n=Count("pk"))
        .values_list("case__declaration__origin_id", "n")
        .order_by()
    ):
        part(office_id)["cases"]["actions"] = n
    # Each office's lists, its first CASE_LIST_LIMIT cases opened and actions, from one pass over the province's in
    # the same order (an office's rows in the order of the province's are in the order of its own).
    _cases, opened, month_actions = _case_scope(start, end, province, None)
    lists = {
        "opened_list": _first_by_origin(
            _opened_in_order(opened.iterator(chunk_size=1000)), lambda c: c.declaration.origin_id, _opened_item
        ),
        "actions_list": _first_by_origin(
            _actions_in_order(month_actions.iterator(chunk_size=1000)),
            lambda a: a.case.declaration.origin_id,
            _action_item,
        ),
    }
    for key, by_origin in lists.items():
        for office_id, listed in by_origin.items():
            part(office_id)["cases"][key] = listed
    return out


def _first_by_origin(rows: Iterable[_Row], origin: Callable[[_Row], int], item: Callable[[_Row], dict]) -> dict:
    """Each origin office's first ``CASE_LIST_LIMIT`` of ``rows``, as ``item`` words them."""
    out: dict[int, list[dict]] = {}
    for row in rows:
        listed = out.setdefault(origin(row), [])
        if len(listed) < CASE_LIST_LIMIT:
            listed.append(item(row))
    return out


# --- cases by milestone (smuggling regulation: Arts. 3, 4, 7, 18, 19) ---------------------------
# A separate section: the statutory milestones of smuggling cases (``casework.smuggling``), counted
# per kind over the cases of declarations from the scope's offices (as ``casework`` counts cases).
# For the month [start, end): due = due in the month (not a step waived before it fell due: its case
# closed before then owed it no longer); done = met in the month, of which late = met
# after its due time; open_at_end = owed at the end (its case still open then, as "cases open at the
# end of the month" counts it: ``case_open_at``; not met nor waived by it);
# overdue_at_end = of those, past their due time at the end. A milestone with no clock is never due
# nor overdue.

MILESTONE_KINDS = list(MilestoneKind.values)
MILESTONE_METRICS = ["due", "done", "done_late", "open_at_end", "overdue_at_end"]


def case_milestones(
    start: dt.datetime,
    end: dt.datetime,
    province: Province | None,
    office: CustomsOffice | None = None,
    *,
    by_office: dict[int, dict] | None = None,
) -> dict:
    """``{"case_milestones": {kind: {metric: n}, "total": {metric: n}}}``: one grouped query. ``by_office``: a
    province's counts by origin office (``case_milestones_by_office``), an office's part or (no ``office``) their
    sum, the province's figure, taken from them."""
    if by_office is not None:
        if office is not None:
            return {"case_milestones": by_office.get(office.pk) or _milestones_of([])}
        summed = [{"kind": k, **by_kind[k]} for by_kind in by_office.values() for k in MILESTONE_KINDS]
        return {"case_milestones": _milestones_of(summed)}
    rows = CaseMilestone.objects.all()
    if office is not None:
        rows = rows.filter(case__declaration__origin=office)
    elif province is not None:
        rows = rows.filter(case__declaration__origin__province=province)
    return {"case_milestones": _milestones_of(_milestone_counts(rows, start, end))}


def case_milestones_by_office(start: dt.datetime, end: dt.datetime, province: Province) -> dict[int, dict]:
    """A province's milestone counts (``case_milestones``) by origin office, in one grouped query."""
    rows = CaseMilestone.objects.filter(case__declaration__origin__province=province)
    grouped: dict[int, list[dict]] = {}
    for row in _milestone_counts(rows, start, end, "case__declaration__origin_id"):
        grouped.setdefault(row["case__declaration__origin_id"], []).append(row)
    return {office_id: _milestones_of(found) for office_id, found in grouped.items()}


def _milestone_counts(rows: QuerySet, start: dt.datetime, end: dt.datetime, *group_by: str):
    _d0, d1 = _local_dates(start, end)
    open_at_end = (
        case_open_at(d1, "case__")
        & (Q(done_at__isnull=True) | Q(done_at__gte=end))
        & (Q(waived_at__isnull=True) | Q(waived_at__gte=end))
    )
    # Still owed when it fell due: never waived, or waived after its due time (a revaluation, a closing) unless
    # its case's outcome is dated on a day before it fell due (a closing recorded later with its real date: the
    # step was no longer owed when its time came).
    owed_when_due = Q(waived_at__isnull=True) | (
        Q(waived_at__gte=F("due_at"))
        & (Q(case__outcome_on__isnull=True) | Q(case__outcome_on__gte=TruncDate("due_at", tzinfo=TEHRAN)))
    )
    # The only milestones any count takes (due in the month, met since its start, or never met), found by the
    # indexes on due_at and done_at: a few in a hundred of them, not every milestone of the scope's cases.
    month = Q(due_at__gte=start, due_at__lt=end) | Q(done_at__gte=start) | Q(done_at__isnull=True)
    return (
        rows.filter(month)
        .values(*group_by, "kind")
        .annotate(
            due=Count("pk", filter=Q(due_at__gte=start, due_at__lt=end) & owed_when_due),
            done=Count("pk", filter=Q(done_at__gte=start, done_at__lt=end)),
            done_late=Count("pk", filter=Q(done_at__gte=start, done_at__lt=end, due_at__lt=F("done_at"))),
            open_at_end=Count("pk", filter=open_at_end),
            overdue_at_end=Count("pk", filter=open_at_end & Q(due_at__lt=end)),
        )
        .order_by()
    )


def _milestones_of(counted: Iterable[dict]) -> dict:
    """{kind: {metric: n}, "total": …} from rows of counts by kind (a kind's rows added up)."""
    by_kind = {k: dict.fromkeys(MILESTONE_METRICS, 0) for k in MILESTONE_KINDS}
    for row in counted:
        for m in MILESTONE_METRICS:
            by_kind[row["kind"]][m] += row[m]
    by_kind["total"] = {m: sum(by_kind[k][m] for k in MILESTONE_KINDS) for m in MILESTONE_METRICS}
    return by_kind


# --- end of cases by milestone -------------------------------------------------------------------


def inspections_and_problems(
    start: dt.datetime, end: dt.datetime, province: Province | None, office: CustomsOffice | None = None
) -> dict:
    from .models import Inspection, SystemProblem

    d0, d1 = _local_dates(start, end)
    inspections = Inspection.objects.filter(inspected_on__gte=d0, inspected_on__lt=d1)
    problems = SystemProblem.objects.all()
    if office is not None:
        inspections = inspections.filter(office=office)
        problems = problems.filter(office=office)
    elif province is not None:
        inspections = inspections.filter(office__province=province)
        problems = problems.filter(office__province=province)
    open_at_end = problems.filter(since__lt=end).filter(Q(resolved_at__isnull=True) | Q(resolved_at__gte=end))
    return {
        "inspections": {
            "done": inspections.count(),
            "offices": inspections.values("office").distinct().count(),
        },
        "system_problems": {
            "reported": problems.filter(reported_at__gte=start, reported_at__lt=end).count(),
            "resolved": problems.filter(resolved_at__gte=start, resolved_at__lt=end).count(),
            "open_at_end": open_at_end.count(),
            "by_system": dict(open_at_end.values_list("system").annotate(n=Count("pk")).order_by()),
        },
    }


# --- foreign trucks (traffic-permit rules) --------------------------------------------------------
# Permits of foreign trucks whose declaration leaves an office of the scope (the return's rule: a
# declaration belongs to its origin's province). issued: issued in the month; expired: the allowed
# trip time ran out in the month with the truck still inside (no exit before it); off_route,
# over_driving_time, unexplained_stop: the sighting check found it in the month (first sighting);
# stopped_at_gate: departures refused at the gate in the month; waived: departures let through.


def foreign_trucks(
    start: dt.datetime,
    end: dt.datetime,
    province: Province | None,
    office: CustomsOffice | None = None,
    *,
    by_office: dict[int, dict] | None = None,
) -> dict:
    """``by_office``: a province's counts by office (``foreign_trucks_by_office``), an office's part or (no
    ``office``) their sum, the province's, taken from them."""
    if by_office is not None:
        return {"foreign_trucks": _part_or_sum(by_office, office, FOREIGN_TRUCK_KEYS)}
    scope: dict[str, object] = {}
    if office is not None:
        scope = {"declaration__origin": office}
    elif province is not None:
        scope = {"declaration__origin__province": province}
    rows = _foreign_truck_rows(start, end, scope)
    figures = {key: _count(qs, distinct) for key, (qs, distinct) in rows.items() if key != "_permits"}
    figures["permits_expired"] = sum(_expired_in(start, end, rows["_permits"][0]).values())
    return {"foreign_trucks": {key: figures[key] for key in FOREIGN_TRUCK_KEYS}}


def foreign_trucks_by_office(start: dt.datetime, end: dt.datetime, province: Province) -> dict[int, dict]:
    """``foreign_trucks``' figures of each of a province's offices, each count one query grouped by origin office."""
    out = {pk: dict.fromkeys(FOREIGN_TRUCK_KEYS, 0) for pk in office_ids(province) or []}
    rows = _foreign_truck_rows(start, end, {"declaration__origin__province": province})
    for key, (qs, distinct) in rows.items():
        if key != "_permits":
            for office_id, n in _count_by(qs, distinct, "declaration__origin_id").items():
                out[office_id][key] = n
    for office_id, n in _expired_in(start, end, rows["_permits"][0]).items():
        out[office_id]["permits_expired"] = n
    return out


FOREIGN_TRUCK_KEYS = [
    "permits_issued",
    "permits_expired",
    "off_route",
    "over_driving_time",
    "unexplained_stop",
    "stopped_at_gate",
    "departed_on_waiver",
]


def _foreign_truck_rows(start: dt.datetime, end: dt.datetime, scope: dict) -> dict:
    """Each count of ``foreign_trucks`` as (rows, the field counted once or None); ``_permits``: every permit of
    the scope (``_expired_in`` reads them)."""
    permits = TrafficPermit.objects.filter(**scope)
    events = DeclarationEvent.objects.filter(kind="permit_gate_stop", at__gte=start, at__lt=end, **scope)
    return {
        "permits_issued": (permits.filter(issued_at__gte=start, issued_at__lt=end), None),
        "off_route": (permits.filter(off_route_at__gte=start, off_route_at__lt=end), None),
        "over_driving_time": (permits.filter(overdrive_at__gte=start, overdrive_at__lt=end), None),
        "unexplained_stop": (permits.filter(gap_at__gte=start, gap_at__lt=end), None),
        "stopped_at_gate": (events, "declaration"),
        "departed_on_waiver": (PermitWaiver.objects.filter(at__gte=start, at__lt=end, **scope), None),
        "_permits": (permits, None),
    }


def _expired_in(start: dt.datetime, end: dt.datetime, permits: QuerySet) -> dict[int, int]:
    """By origin office: the permits whose allowed trip time ran out in the month with the truck still inside."""
    expired: dict[int, int] = {}
    for office_id, issued_at, hours, exited_at in permits.filter(issued_at__lt=end).values_list(
        "declaration__origin_id", "issued_at", "allowed_hours", "exited_at"
    ):
        expires = issued_at + dt.timedelta(hours=hours)
        if start <= expires < end and (exited_at is None or exited_at > expires):
            expired[office_id] = expired.get(office_id, 0) + 1
    return expired


def compliance(start: dt.datetime, end: dt.datetime, province: Province | None) -> dict:
    """Scan compliance (scans.selectors) and plate-evidence compliance of the scope's offices."""
    from scans.selectors import compliance as scan_compliance

    ids = office_ids(province)
    decls = TransitDeclaration.objects.all()
    scans = scan_compliance(decls, start, end, offices=ids)
    plates = (
        # as the signal does: only arrivals since the destination's camera went into service count
        decls.filter(arrived_at__gte=start, arrived_at__lt=end, destination__has_anpr=True)
        .filter(Q(destination__anpr_since__isnull=True) | Q(arrived_at__gte=F("destination__anpr_since")))
        .values("destination__code")
        .annotate(arrived=Count("pk"), sighted=Count("pk", filter=Q(dest_first_read_at__isnull=False)))
        .order_by("destination__code")
    )
    if ids is not None:
        plates = plates.filter(destination_id__in=ids)
    plate_rows = [{"office": r["destination__code"], "arrived": r["arrived"], "sighted": r["sighted"]} for r in plates]
    scan_rows = [
        {
            "office": v.get("office_code", ""),
            "departed": v["departed"],
            "origin_scanned_in_time": v["origin_scanned_in_time"],
            "arrived": v["arrived"],
            "reviewed": v["reviewed"],
        }
        for v in scans.values()
    ]
    return _compliance_of(scan_rows, plate_rows)


def compliance_part(figures: dict, code: str) -> dict:
    """One office's part of the scope's compliance figures (its own rows, their totals)."""
    return _compliance_of(
        [r for r in figures["scan_compliance"]["offices"] if r["office"] == code],
        [r for r in figures["plate_compliance"]["offices"] if r["office"] == code],
    )


def _compliance_of(scan_rows: list[dict], plate_rows: list[dict]) -> dict:
    scan_tot = {k: sum(r[k] for r in scan_rows) for k in ("departed", "origin_scanned_in_time", "arrived", "reviewed")}
    arrived = sum(r["arrived"] for r in plate_rows)
    sighted = sum(r["sighted"] for r in plate_rows)
    return {
        "scan_compliance": {
            **scan_tot,
            "origin_scan_share": _share(scan_tot["origin_scanned_in_time"], scan_tot["departed"]),
            "review_share": _share(scan_tot["reviewed"], scan_tot["arrived"]),
            "offices": sorted(scan_rows, key=lambda r: r["office"]),
        },
        "plate_compliance": {
            "arrived": arrived,
            "sighted": sighted,
            "share": _share(sighted, arrived),
            "offices": plate_rows,
        },
    }


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


# --- the anti-smuggling rules (issue 15 §2): serials, settlement gate, transport documents ---------
# A separate section of the return, ``figures["rules_serials"]`` (docs/monthly-return.md, "Serials and
# documents"). Declarations count in the province (office) of their origin, as everywhere above.

SERIAL_RULES_KEYS = [
    "serial_discrepancies_opened",
    "serial_discrepancies_resolved",
    "serial_discrepancies_open_at_end",
    "settlements_blocked_at_end",
    "settlements_overridden",
    "document_discrepancies",
    "covered_without_serials",
    "invalid_imei",
]


# A comparison summary awaiting review that withholds the settlement, by verdict, as
# ``serials.settlement_blocks`` names the block (an override covers it by that name).
PENDING_SCAN_BLOCKS = {"suspicious": "scan_unreviewed", "unregistered": "scan_unaligned"}


def _scan_block(verdict: str, review: str) -> str:
    return PENDING_SCAN_BLOCKS.get(verdict, "") if review == "pending" else ""


def _or_none(total: Decimal | None) -> Decimal | None:
    return total or None


def _arrival_finding_refs(waiting) -> dict[int, set[str]]:
    """Declaration id -> the refs of its arrival findings (broken seals, other seal numbers, a weight off),
    which withhold settlement as ``serials.settlement_blocks`` does: read by ``arrival_findings.findings_of``,
    the page's own reading, from three queries for the whole scope."""
    from declarations.arrival_findings import MAY_HOLD_FINDING, findings_of
    from declarations.models import ArrivalConfirmation, GoodsItem

    arrivals = list(
        ArrivalConfirmation.objects.filter(MAY_HOLD_FINDING, declaration_id__in=waiting.values("pk")).select_related(
            "declaration"
        )
    )
    weighed = [a.declaration_id for a in arrivals if a.gross_weight_found_kg is not None]
    weights = dict(
        GoodsItem.objects.filter(declaration_id__in=weighed)
        .values("declaration_id")
        .annotate(total=Sum("gross_weight_kg"))
        .values_list("declaration_id", "total")
    )
    out: dict[int, set[str]] = {}
    for a in arrivals:
        found = findings_of(a, a.declaration.seal_numbers, partial(_or_none, weights.get(a.declaration_id)))
        if found:
            out[a.declaration_id] = {f.ref for f in found}
    return out


def _goods_serial_refs(imei_flagged: list[int], serial_flagged: list[int]) -> dict[int, set[str]]:
    """The goods-serial blocks (``serials.goods_serial_blocks``, by the same refs an override covers) of the
    declarations whose summary flags an invalid IMEI (``imei_flagged``) or a serial on another open declaration
    (``serial_flagged``): each declared IMEI that is not one, each serial/IMEI also on another open declaration (as
    it stands when built). By their ids, found in the one pass over the waiting declarations that ``serial_rules``
    makes for its flags, in chunks that keep each query's parameters few."""
    from declarations.models import GoodsSerial
    from declarations.serials import imei_problem

    out: dict[int, set[str]] = {}
    for ids in _chunks(imei_flagged):
        for d, value in GoodsSerial.objects.filter(is_imei=True, declaration_id__in=ids).values_list(
            "declaration_id", "value"
        ):
            if imei_problem(value):
                out.setdefault(d, set()).add(f"imei_invalid:{value}")
    elsewhere = GoodsSerial.objects.filter(value=OuterRef("value"), declaration__status__in=OPEN_STATUSES).exclude(
        declaration_id=OuterRef("declaration_id")
    )
    for ids in _chunks(serial_flagged):
        shared = GoodsSerial.objects.filter(declaration_id__in=ids).filter(Exists(elsewhere))
        for d, value in shared.values_list("declaration_id", "value"):
            out.setdefault(d, set()).add(f"serial_shared:{value}")
    return out


def _chunks(ids: list[int], size: int = 5000) -> Iterator[list[int]]:
    for i in range(0, len(ids), size):
        yield ids[i : i + size]


def _blocked_at_end(decls: QuerySet, end: dt.datetime, open_at_end: QuerySet, overrides: QuerySet) -> list[int]:
    """The declarations of ``decls`` awaiting settlement at ``end`` with a block standing then (``serial_rules``)."""
    # Declarations awaiting settlement at the end that something withheld (a bounded, small set).
    waiting = decls.filter(arrived_at__lt=end).filter(Q(settled_at__isnull=True) | Q(settled_at__gte=end))
    waiting = waiting.filter(Q(closed_at__isnull=True) | Q(closed_at__gte=end))
    open_refs = {
        d: f"serial_discrepancy:{pk}"
        for pk, d in open_at_end.filter(declaration_id__in=waiting.values("pk")).values_list("pk", "declaration_id")
    }
    # One pass over the waiting declarations for every flag of the summary that may block (each pass is a scan
    # of the month's waiting rows: a million at 10M declarations).
    flagged: dict[int, tuple[str, str, bool]] = {}
    imei_flagged: list[int] = []
    serial_flagged: list[int] = []
    for pk, waybill, verdict, review, dup, bad_imei, shared_serial in waiting.filter(MAY_HOLD_SETTLEMENT).values_list(
        "pk", "waybill_no", "comparison_verdict", "comparison_review", "dup_waybill", "invalid_imei", "dup_goods_serial"
    ):
        scan_block = _scan_block(verdict, review)
        if scan_block or dup:
            flagged[pk] = (waybill, scan_block, dup)
        if bad_imei:
            imei_flagged.append(pk)
        if shared_serial:
            serial_flagged.append(pk)
    # A reuse of another truck's scan confirmed by the review that counts (as it stands when built, as a scan).
    from scans.models import ReuseDecision, Scan, ScanComparison, ScanReuseReview

    scan_refs: dict[int, set[str]] = {}
    # Each comparison escalated, current or not (a later scan lifts none: ``scans.panels.escalation_blocks``).
    for pk, d in ScanComparison.objects.filter(
        review="escalated", declaration_id__in=waiting.exclude(comparison_verdict="").values("pk")
    ).values_list("pk", "declaration_id"):
        scan_refs.setdefault(d, set()).add(f"scan_escalated:{pk}")
    for pk, d in (
        ScanReuseReview.objects.current()
        .filter(decision=ReuseDecision.CONFIRMED, declaration_id__in=waiting.filter(scan_reused=True).values("pk"))
        .values_list("pk", "declaration_id")
    ):
        scan_refs.setdefault(d, set()).add(f"scan_reuse_confirmed:{pk}")
    # A reuse finding no review has looked at yet (as it stands when built).
    for pk, d in (
        Scan.objects.filter(declaration_id__in=waiting.filter(scan_reused=True).values("pk"))
        .reuse_findings()
        .filter(reuse_reviews__isnull=True)
        .values_list("pk", "declaration_id")
    ):
        scan_refs.setdefault(d, set()).add(f"scan_reuse_unreviewed:{pk}")
    arrival_refs = _arrival_finding_refs(waiting)
    serial_refs = _goods_serial_refs(imei_flagged, serial_flagged)
    candidates = set(open_refs) | set(flagged) | set(scan_refs) | set(arrival_refs) | set(serial_refs)
    covered: dict[int, set[str]] = {}
    for d, refs in overrides.filter(declaration_id__in=candidates, at__lt=end).values_list("declaration_id", "covers"):
        covered.setdefault(d, set()).update(refs)
    blocked: list[int] = []
    for d in candidates:
        refs = ({open_refs[d]} if d in open_refs else set()) | scan_refs.get(d, set()) | arrival_refs.get(d, set())
        refs |= serial_refs.get(d, set())
        waybill, scan_block, dup = flagged.get(d, ("", "", False))
        if scan_block:
            refs.add(scan_block)
        if dup:
            refs.add(f"dup_waybill:{waybill}")
        if refs - covered.get(d, set()):
            blocked.append(d)
    return blocked


def serial_rules(
    start: dt.datetime,
    end: dt.datetime,
    province: Province | None,
    office: CustomsOffice | None = None,
    *,
    blocked_by_office: dict[int, int] | None = None,
    by_office: dict[int, dict] | None = None,
) -> dict:
    """The month's figures of the serial, IMEI and transport-document rules, for the scope's origins.

    - discrepancies opened / resolved by a person (not by a later count) in the month, open at its end;
    - settlements blocked at the end: arrived before it, not settled, with a block standing then (an
      open discrepancy not covered by an override made before the end; an escalated scan, a confirmed reuse
      of another truck's scan, a duplicate waybill, a declared IMEI not valid or a goods serial also on another
      open declaration, as they stand when the return is built, uncovered);
    - overrides made in the month; declarations whose transport document recorded in the month differs;
    - declarations declared in the month with covered goods without serials, with an invalid IMEI.

    ``blocked_by_office``: the settlements blocked at the end by origin office (``blocked_by_origin``), counted
    once for a province and its offices alike (a block is its declaration's, whatever the scope). ``by_office``:
    a province's other counts by office (``serial_rules_by_office``), an office's part taken from them."""
    if by_office is not None:
        return {"rules_serials": _part_or_sum(by_office, office, SERIAL_RULES_KEYS)}
    decls = TransitDeclaration.objects.all()
    if office is not None:
        decls = decls.filter(origin=office)
    elif province is not None:
        decls = decls.filter(origin_id__in=office_ids(province))
    counted = _serial_rule_rows(start, end, decls, scoped=office is not None or province is not None)
    if blocked_by_office is not None:
        blocked = blocked_by_office.get(office.pk, 0) if office is not None else sum(blocked_by_office.values())
    else:
        blocked = len(
            _blocked_at_end(decls, end, counted["serial_discrepancies_open_at_end"][0], counted["_overrides"][0])
        )
    figures = {key: _count(rows, distinct) for key, (rows, distinct, _origin) in counted.items() if key[0] != "_"}
    figures["settlements_blocked_at_end"] = blocked
    return {"rules_serials": {key: figures[key] for key in SERIAL_RULES_KEYS}}


def serial_rules_by_office(start: dt.datetime, end: dt.datetime, province: Province, blocked: dict[int, int]) -> dict:
    """``serial_rules``' figures of each of a province's offices, each count one query grouped by origin office."""
    ids = office_ids(province) or []
    out = {pk: {**dict.fromkeys(SERIAL_RULES_KEYS, 0), "settlements_blocked_at_end": blocked.get(pk, 0)} for pk in ids}
    decls = TransitDeclaration.objects.filter(origin_id__in=ids)
    for key, (rows, distinct, origin) in _serial_rule_rows(start, end, decls, scoped=True).items():
        if key[0] != "_":
            for office_id, n in _count_by(rows, distinct, origin).items():
                out[office_id][key] = n
    return out


def _serial_rule_rows(start: dt.datetime, end: dt.datetime, decls: QuerySet, *, scoped: bool) -> dict:
    """Each count of ``serial_rules`` as (rows, the field counted once or None, the path to the origin office);
    ``_overrides``: every override of the scope (``_blocked_at_end`` reads them)."""
    from declarations.models import SerialDiscrepancy, SettlementOverride, TransportDocument

    def of_scope(qs):
        return qs.filter(declaration_id__in=decls.values("pk")) if scoped else qs

    origin = "declaration__origin_id"
    discrepancies = of_scope(SerialDiscrepancy.objects.all())
    overrides = of_scope(SettlementOverride.objects.all())
    documents = of_scope(TransportDocument.objects.filter(recorded_at__gte=start, recorded_at__lt=end)).exclude(
        differences=[]
    )
    declared = decls.filter(declared_at__gte=start, declared_at__lt=end)
    return {
        "serial_discrepancies_opened": (discrepancies.filter(opened_at__gte=start, opened_at__lt=end), None, origin),
        "serial_discrepancies_resolved": (
            discrepancies.filter(resolution__at__gte=start, resolution__at__lt=end, resolution__superseded=False),
            None,
            origin,
        ),
        "serial_discrepancies_open_at_end": (
            discrepancies.filter(opened_at__lt=end).filter(Q(resolution__isnull=True) | Q(resolution__at__gte=end)),
            None,
            origin,
        ),
        "settlements_overridden": (overrides.filter(at__gte=start, at__lt=end), None, origin),
        "document_discrepancies": (documents, "declaration_id", origin),
        "covered_without_serials": (declared.filter(covered_without_serials=True), None, "origin_id"),
        "invalid_imei": (declared.filter(invalid_imei=True), None, "origin_id"),
        "_overrides": (overrides, None, origin),
    }


def _part_or_sum(by_office: dict[int, dict], office: CustomsOffice | None, keys: list[str]) -> dict:
    """An office's counts, or (no office) the sum of every office's: the province's."""
    parts = [by_office.get(office.pk) or {}] if office is not None else list(by_office.values())
    return {key: sum(part.get(key, 0) for part in parts) for key in keys}


def _count(rows: QuerySet, distinct: str | None) -> int:
    return rows.values(distinct).distinct().count() if distinct else rows.count()


def _count_by(rows: QuerySet, distinct: str | None, origin: str) -> dict[int, int]:
    """``_count`` of each origin office's rows, in one query."""
    n = Count(distinct, distinct=True) if distinct else Count("pk")
    return dict(rows.values(origin).annotate(n=n).values_list(origin, "n").order_by())


# --- scans reused (the ``scan_reused`` signal and its reviews) -----------------------------------
# A separate section, ``figures["scan_reuse"]`` (docs/monthly-return.md, "Reused scans"): the scans of the
# scope's declarations (by origin, as everywhere) that are the same image as another truck's scan
# (``Scan.objects.reuse_findings``), and the decisions on them (``scans.reuse_reviews``).

SCAN_REUSE_KEYS = ["found", "explained", "confirmed", "unreviewed_at_end"]


def scan_reuse(
    start: dt.datetime, end: dt.datetime, province: Province | None, office: CustomsOffice | None = None
) -> dict:
    """found: uploaded in the month; explained / confirmed: reviews recorded in the month by their decision;
    unreviewed_at_end: uploaded before the end, with no review recorded before it. Four counts over the
    scans that repeat another (``repeats_scan``, indexed), not over every scan."""
    from scans.models import ReuseDecision, Scan, ScanReuseReview

    findings = Scan.objects.reuse_findings()
    reviews = ScanReuseReview.objects.filter(at__gte=start, at__lt=end)
    if office is not None:
        findings, reviews = findings.filter(declaration__origin=office), reviews.filter(declaration__origin=office)
    elif province is not None:
        ids = office_ids(province)
        findings, reviews = (
            findings.filter(declaration__origin_id__in=ids),
            reviews.filter(declaration__origin_id__in=ids),
        )
    return {
        "scan_reuse": {
            "found": findings.filter(uploaded_at__gte=start, uploaded_at__lt=end).count(),
            "explained": reviews.filter(decision=ReuseDecision.EXPLAINED).count(),
            "confirmed": reviews.filter(decision=ReuseDecision.CONFIRMED).count(),
            "unreviewed_at_end": findings.filter(uploaded_at__lt=end).exclude(reuse_reviews__at__lt=end).count(),
        }
    }


# --- the period ---------------------------------------------------------------------------------


def period(year: int, month: int, now: dt.datetime | None = None) -> tuple[dt.datetime, dt.datetime, bool]:
    """``(start, end, provisional)`` of a return: the month ``[start, end)``, or for a month that
    has not ended, ``[start, now)``: a provisional return counts what has happened by its build
    and projects nothing (no declaration is overdue before its deadline has come)."""
    start, end = jalali_month_bounds(year, month)
    now = now or timezone.now()
    return (start, now, True) if end > now else (start, end, False)


def blocked_by_origin(end: dt.datetime, province: Province) -> dict[int, int]:
    """The settlements blocked at ``end`` of declarations from ``province``'s offices, by origin office: the
    province's figure and each office's part (``serial_rules``) from one pass, not one per office."""
    from declarations.models import SerialDiscrepancy, SettlementOverride

    decls = TransitDeclaration.objects.filter(origin_id__in=office_ids(province))

    def of_scope(qs):
        return qs.filter(declaration_id__in=decls.values("pk"))

    open_at_end = (
        of_scope(SerialDiscrepancy.objects.all())
        .filter(opened_at__lt=end)
        .filter(Q(resolution__isnull=True) | Q(resolution__at__gte=end))
    )
    ids = _blocked_at_end(decls, end, open_at_end, of_scope(SettlementOverride.objects.all()))
    counts: dict[int, int] = {}
    for chunk in _chunks(ids):
        for origin_id in TransitDeclaration.objects.filter(pk__in=chunk).values_list("origin_id", flat=True):
            counts[origin_id] = counts.get(origin_id, 0) + 1
    return counts


def build_figures(year: int, month: int, province: Province | None = None, now: dt.datetime | None = None) -> dict:
    """Every figure of the return except the serial list itself (streamed by the exports).

    ``end`` is the month's end, or for a provisional return (month not ended at ``now``) the cut-off."""
    start, end, provisional = period(year, month, now)
    head = {
        "year": year,
        "month": month,
        "label": month_label(year, month),
        "province": province.code if province else None,
        "province_name": province.name_fa if province else "کل کشور",
        "start": start.isoformat(),
        "end": end.isoformat(),
        "provisional": provisional,
    }
    # A province's counts by office, section by section (``office_part``): each counted once for the province (their
    # sum) and its offices (each its part), not once for the province and again for each office.
    parts: dict[str, dict] = {}
    if province is None:
        by_province = balance_by_province(start, end)
        names = dict(Province.objects.values_list("pk", "code"))
        core = add_up(list(by_province.values()))
        provinces = [
            {"province": names.get(pk, ""), **{k: v[k] for k in BALANCE_KEYS}}
            for pk, v in sorted(by_province.items(), key=lambda kv: names.get(kv[0], ""))
        ]
    else:
        offices = list(CustomsOffice.objects.filter(province=province).order_by("code"))
        by_office = balance_by_office(start, end, [o.pk for o in offices])
        core = add_up(list(by_office.values()))  # the province is the sum of its offices
        provinces = []
        parts["blocked"] = blocked_by_origin(end, province)
        parts["milestones"] = case_milestones_by_office(start, end, province)
        parts["cases"] = casework_by_office(start, end, province)
        parts["rules"] = serial_rules_by_office(start, end, province, parts["blocked"])
        parts["foreign"] = foreign_trucks_by_office(start, end, province)
    figures = {
        **head,
        **core,
        **casework(start, end, province, by_office=parts.get("cases")),
        **case_milestones(start, end, province, by_office=parts.get("milestones")),
        **inspections_and_problems(start, end, province),
        **compliance(start, end, province),
        **serial_rules(start, end, province, blocked_by_office=parts.get("blocked"), by_office=parts.get("rules")),
        **scan_reuse(start, end, province),
        **foreign_trucks(start, end, province, by_office=parts.get("foreign")),
        "unsettled_count": core["closing"],
    }
    if province is None:
        figures["provinces"] = provinces
    else:
        # Each office's part (what its own staff see): the same figures for declarations from
        # that office, its letters, cases, inspections, problems and compliance rows.
        figures["offices"] = {
            o.code: office_part(head, figures, start, end, o, by_office.get(o.pk) or _shape({}), parts) for o in offices
        }
    return figures


def office_part(
    head: dict,
    figures: dict,
    start: dt.datetime,
    end: dt.datetime,
    office: CustomsOffice,
    core: dict,
    by_office: dict[str, dict] | None = None,
) -> dict:
    """One office's part of its province's return. ``by_office``: the province's counts by office, by section
    (``blocked``, ``milestones``, ``cases``, ``rules``, ``foreign``), each counted once for the province and its
    offices; a section not given is counted for the office alone."""
    parts = by_office or {}
    return {
        **head,
        "office": office.code,
        "office_name": office.name_fa,
        **core,
        **casework(start, end, None, office, by_office=parts.get("cases")),
        **case_milestones(start, end, None, office, by_office=parts.get("milestones")),
        **inspections_and_problems(start, end, None, office),
        **compliance_part(figures, office.code),
        **serial_rules(start, end, None, office, blocked_by_office=parts.get("blocked"), by_office=parts.get("rules")),
        **scan_reuse(start, end, None, office),
        **foreign_trucks(start, end, None, office, by_office=parts.get("foreign")),
        "unsettled_count": core["closing"],
    }


def year_summary(year: int, province: Province | None = None) -> list[dict]:
    """The balance of each month of a Jalali year (a trend or an annual table)."""
    out = []
    for month in range(1, 13):
        start, end = jalali_month_bounds(year, month)
        out.append({"year": year, "month": month, **balance(start, end, province)})
    return out
