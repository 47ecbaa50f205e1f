"""Reads behind the dashboard: scoped signal counts, the per-office table, monthly charts.

Built for the national case (10M declarations over five years): nothing here
aggregates the whole table per request. Counts are capped (a ``LIMIT`` under the
``COUNT``), the office table and charts look at a bounded window that the
composite indexes cover, and every result is cached per *scope* (national, a
province, an office) for a few minutes. Every transition (``services._transition``, whoever
calls it) makes the scopes it touches recount at their next view (``invalidate_offices``); evidence
that moves a signal (the ``note_*`` services that anpr and scans call) makes them recount once the
figures are ``DASHBOARD_RECOUNT_SECONDS`` old (``evidence_moved``). One view recounts a scope while
the others are given its previous figures with their time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import statistics
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connection, connections
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone, translation

from accounts.models import CustomsOffice, Role, User, offices_by_id
from core import dates

from . import ageing, monitoring
from .models import ARRIVED_STATUSES, Status, TransitDeclaration
from .paging import Page

T = TypeVar("T")


# --- scope -------------------------------------------------------------------------------------


def scope_key(user: User) -> str:
    """Which slice of the country the user sees; users of one scope share cached figures."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return "none"
    if user.is_national:
        return "national"
    if user.role == Role.INSPECTOR or (user.role == Role.INTEGRATION and user.province_id):
        return f"province:{user.province_id}" if user.province_id else "none"
    return f"office:{user.office_id}" if user.office_id else "none"


def _scope_id(key: str) -> int:
    """The province or office id of a ``province:<id>`` or ``office:<id>`` scope key."""
    return int(key.partition(":")[2])


def scope_offices(user: User) -> QuerySet:
    """The offices whose rows make the user's scope (for the per-office table and filters)."""
    offices = CustomsOffice.objects.select_related("province").order_by("code")
    key = scope_key(user)
    if key == "national":
        return offices
    if key.startswith("province:"):
        return offices.filter(province_id=_scope_id(key))
    if key.startswith("office:"):
        return offices.filter(pk=_scope_id(key))
    return offices.none()


def attach_offices(declaration: TransitDeclaration) -> TransitDeclaration:
    """Fill origin, destination and last-read office (with provinces) from the per-process office
    table instead of five joins in the declaration's query."""
    offices = offices_by_id()
    for field in ("origin", "destination", "last_read_office"):
        office = offices.get(getattr(declaration, f"{field}_id"))
        if office is not None:
            setattr(declaration, field, office)
    return declaration


def route_names(codes: Iterable[str]) -> list[str]:
    """A route's office codes as the offices' names (from the per-process office table); a code that
    names no office is shown as it is."""
    names = {office.code: office.name for office in offices_by_id().values()}
    return [names.get(code, code) for code in codes or []]


def scoped(user: User) -> QuerySet:
    """``TransitDeclaration.objects.for_user(user)`` with a province written as its office ids:
    the same rows, but ``origin_id IN (...)`` uses the office indexes where a join on the
    office's province cannot."""
    key = scope_key(user)
    if key.startswith("province:"):
        ids = list(CustomsOffice.objects.filter(province_id=_scope_id(key)).values_list("pk", flat=True))
        if not ids:  # a province without offices: the plain scope (empty, but a real query for panels)
            return TransitDeclaration.objects.for_user(user)
        return TransitDeclaration.objects.filter(Q(origin_id__in=ids) | Q(destination_id__in=ids))
    return TransitDeclaration.objects.for_user(user)


MAX_BRANCHES = 24


def scope_branches(user: User, offices: list[int] | None = None) -> list[Q] | None:
    """The OR-ed office conditions of the user's scope (or of ``offices``), for the keyset pager
    to read one index range each; None when a single ordered scan is the better plan (national,
    or ``offices == []``: the filter has a small index of its own)."""
    key = scope_key(user)
    if offices is None:
        if key == "national" or key == "none":
            return None
        if key.startswith("office:"):
            offices = [_scope_id(key)]
        else:
            offices = list(CustomsOffice.objects.filter(province_id=_scope_id(key)).values_list("pk", flat=True))
    if not offices or 2 * len(offices) > MAX_BRANCHES:
        return None
    return [Q(origin_id=o) for o in offices] + [Q(destination_id=o) for o in offices]


def _cache_key(scope: str, name: str) -> str:
    return f"dash:{scope}:{name}"


def _scopes_of(office_ids: Iterable[int]) -> set[str]:
    """The nation, the offices' provinces and the offices themselves: every scope that sees them."""
    offices = offices_by_id()
    scopes = {"national"}
    for office_id in office_ids:
        scopes.add(f"office:{office_id}")
        office = offices.get(office_id)
        if office is None:  # an office created since the per-process table was read
            office = CustomsOffice.objects.get(pk=office_id)
        scopes.add(f"province:{office.province_id}")
    return scopes


def invalidate_for(declaration: TransitDeclaration) -> None:
    """A transition: every scope that sees this declaration recounts at its next view."""
    invalidate_offices({declaration.origin_id, declaration.destination_id})


def invalidate_offices(office_ids: Iterable[int]) -> None:
    """A person changed what the figures of these offices' scopes count (a transition, a correction):
    their next view recounts them, and rendered pages (``cached_render``, keyed by the scope's version)
    are orphaned. The previous figures stay in the cache, said to be as of their time, for the views
    that come while one view recounts (``_fresh_or_recount``): a busy scope is never counted twice at once."""
    cache.set_many({_cache_key(s, "version"): time.time_ns() for s in _scopes_of(office_ids)}, None)


def evidence_moved(office_ids: Iterable[int]) -> None:
    """Evidence moved a signal in these offices' scopes (a plate read at the destination or off the
    route, a scan, a comparison). Cameras send it every second at a busy border, so the scopes'
    figures are recounted at their next view once they are ``DASHBOARD_RECOUNT_SECONDS`` old, not at
    every read: the page says when its figures were counted."""
    cache.set_many({_cache_key(s, "moved"): time.time_ns() for s in _scopes_of(office_ids)}, None)


def _marks(scope: str) -> tuple[int, int]:
    """(version, moved): when a person's change and when evidence last touched the scope (ns)."""
    got = cache.get_many([_cache_key(scope, "version"), _cache_key(scope, "moved")])
    return got.get(_cache_key(scope, "version"), 0), got.get(_cache_key(scope, "moved"), 0)


def _fresh(entry: object, version: int, moved: int, seconds: int, floor: int | None = None) -> bool:
    if not isinstance(entry, dict) or "ns" not in entry:
        return False
    counted = entry["ns"]
    now = time.time_ns()
    if now - counted >= seconds * 1_000_000_000:
        return False
    floor_ns = (settings.DASHBOARD_RECOUNT_SECONDS if floor is None else floor) * 1_000_000_000
    return counted >= version and (counted >= moved or now - counted < floor_ns)


# Figures that no plate read, scan or comparison moves (ageing, the office table, the charts count
# statuses and times that only transitions change): evidence never makes them stale, only their life.
NOT_EVIDENCE = 10**9

# Figures are kept this many times their life: past it they are stale but still shown while one view
# recounts them, so that a scope's figures expiring never sends every view of it to count at once.
KEEP_STALE = 10
COLD_WAIT_SECONDS = 15  # a view with nothing to show waits this long for the view counting


def _fresh_or_recount(
    scope: str, name: str, count: Callable[[], T], seconds: int, floor: int | None = None
) -> tuple[T, int]:
    """The scope's cached figures ``name`` and when they were counted (ns), recounted when stale.

    Stale: older than ``seconds``, than the scope's last change by a person, or than the last evidence
    once the recount floor (``floor``, else ``DASHBOARD_RECOUNT_SECONDS``) has passed. One view recounts (a short lock in the cache); the views that
    come meanwhile are given the previous figures with their time instead of counting them again
    each, and when there are none yet (a cold cache) they wait for that view's figures."""
    key = _cache_key(scope, name)
    entry = cache.get(key)
    version, moved = _marks(scope)
    if _fresh(entry, version, moved, seconds, floor):
        return entry["value"], entry["ns"]  # type: ignore[index]
    lock = key + ":counting"
    locked = cache.add(lock, 1, 30)
    if not locked and isinstance(entry, dict):
        return entry["value"], entry["ns"]  # another view is counting them now
    if not locked:
        waited = _wait_for(key, version)
        if waited is not None:
            return waited["value"], waited["ns"]
    try:
        started = time.time_ns()  # a change during the count makes it stale again
        value = count()
        cache.set(key, {"value": value, "ns": started}, seconds * KEEP_STALE)
    finally:
        if locked:
            cache.delete(lock)
    return value, started


def _wait_for(key: str, version: int) -> dict | None:
    """The figures another view is counting, once it has stored them (None: it took too long)."""
    deadline = time.monotonic() + COLD_WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(0.05)
        entry = cache.get(key)
        if isinstance(entry, dict) and entry.get("ns", 0) >= version:
            return entry
        if cache.get(key + ":counting") is None:
            break  # that view failed or finished without storing: count here
    return None


def cached_render(user: User, name: str, render: Callable[[], T], seconds: int) -> T:
    """Pages (or parts) rendered once per scope, ``name`` and language, for ``seconds`` or until a
    change in the scope: the home's panels of other apps and the pages of the declaration list, which
    users of one scope reopen all day. A transition (``invalidate_for``) orphans them at once;
    evidence shows within ``seconds`` (a page lists rows, each with its own evidence time; cameras
    move evidence every second at a busy border, and re-rendering every page of a scope at each
    recount floor cost more than the figures it kept current)."""
    scope = scope_key(user)
    version, _moved = _marks(scope)
    name = f"html:{version}:{translation.get_language()}:{name}"
    return _fresh_or_recount(scope, name, render, seconds, floor=seconds)[0]


def list_page_name(query: str) -> str:
    return "list:" + hashlib.sha256(query.encode()).hexdigest()[:32]


# --- counts ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CappedCount:
    value: int
    capped: bool  # True: there are more than ``value`` rows
    estimated: bool = False  # True: the planner's estimate, rounded (a list too long to count)

    def __int__(self) -> int:
        return self.value


def capped_count(qs: QuerySet, cap: int | None = None, branches: list[Q] | None = None) -> CappedCount:
    """COUNT over at most ``cap + 1`` rows: exact when the filter is selective, "cap+" otherwise.

    With ``branches`` (the OR-ed office conditions of the scope) each branch is counted first
    along its own index: one branch past the cap settles it without a bitmap over the whole OR.
    ``cap`` defaults to DASHBOARD_COUNT_CAP.
    """
    cap = settings.DASHBOARD_COUNT_CAP if cap is None else cap
    qs = qs.order_by().values("pk")
    try:
        for branch in branches or ():
            if qs.filter(branch)[: cap + 1].count() > cap:
                return CappedCount(cap, True)
        n = qs[: cap + 1].count()
    except EmptyResultSet:  # an empty IN list (no office, no matching company) under the LIMIT subquery
        return CappedCount(0, False)
    return CappedCount(min(n, cap), n > cap)


def _planner_rows(qs: QuerySet) -> int | None:
    """PostgreSQL's estimate of the rows ``qs`` returns (EXPLAIN plans, runs nothing)."""
    if connection.vendor != "postgresql":
        return None
    try:
        plan = json.loads(qs.order_by().values("pk").explain(format="json"))
    except EmptyResultSet:
        return 0
    return int(plan[0]["Plan"]["Plan Rows"])


def _round_estimate(n: int) -> int:
    """Two significant figures: an estimate must not look exact."""
    digits = len(str(n)) - 2
    return round(n, -digits) if digits > 0 else n


def list_count(qs: QuerySet, page: Page, *, cap: int | None = None) -> CappedCount:
    """The count a list page shows. A page that holds the whole list is its own exact count; a
    filter the planner expects to be selective (at most ``cap`` rows) is counted exactly (capped);
    anything longer is shown as the planner's estimate: counting a million rows to print "about a
    million" would cost more than the page itself. ``cap`` defaults to LIST_COUNT_CAP."""
    cap = settings.LIST_COUNT_CAP if cap is None else cap
    if page.complete:
        return CappedCount(len(page.rows), False)
    estimate = _planner_rows(qs)
    if estimate is not None and estimate > cap:
        return CappedCount(_round_estimate(estimate), False, estimated=True)
    return capped_count(qs, cap)


def scope_signal_counts(user: User, *, now: dt.datetime | None = None) -> dict[str, CappedCount]:
    """Capped count per monitoring signal over the user's scope, cached per scope."""
    return signal_counts_at(user, now=now)[0]


def signal_counts_at(user: User, *, now: dt.datetime | None = None) -> tuple[dict[str, CappedCount], dt.datetime]:
    """``scope_signal_counts`` and when they were counted (what the dashboard says the figures are as of)."""
    scope = scope_key(user)
    return _signal_counts(scope, lambda: scoped(user), now)


def national_signal_counts(*, now: dt.datetime | None = None) -> tuple[dict[str, CappedCount], dt.datetime]:
    """The national dashboard's signal counts (the same cache entry: a scrape of /metrics between two
    dashboard views costs nothing more)."""
    return _signal_counts("national", TransitDeclaration.objects.all, now)


def _signal_counts(
    scope: str, rows_of_scope: Callable[[], QuerySet], now: dt.datetime | None
) -> tuple[dict[str, CappedCount], dt.datetime]:
    def count() -> tuple[dict[str, CappedCount], dt.datetime]:
        rows = rows_of_scope()
        at = now or timezone.now()
        return {k: capped_count(rows.filter(sig.q(at))) for k, sig in monitoring.SIGNALS.items()}, at

    return _fresh_or_recount(scope, "signals", count, settings.DASHBOARD_CACHE_SECONDS)[0]


def ageing_counts(user: User, *, now: dt.datetime | None = None) -> dict[str, int]:
    """The user's overdue declarations per age bucket (``ageing.BUCKETS``), cached per scope like the signals."""
    return _fresh_or_recount(
        scope_key(user),
        "ageing",
        lambda: ageing.counts(scoped(user), now or timezone.now()),
        settings.DASHBOARD_CACHE_SECONDS,
        floor=NOT_EVIDENCE,
    )[0]


def signals_of(d: TransitDeclaration, now: dt.datetime | None = None) -> list[monitoring.Signal]:
    """The signals that hold for one declaration, checked in memory (``Signal.holds``; no query).

    Needs ``origin`` and ``destination`` loaded (select_related) for the camera/scanner checks.
    """
    return monitoring.signals_holding(d, now)


# --- the per-office table ---------------------------------------------------------------------


@dataclass
class OfficeRow:
    office: CustomsOffice
    in_transit: int = 0
    overdue: int = 0
    median_hours: float | None = None
    settled: int = 0
    settled_on_time: int = 0

    @property
    def on_time_share(self) -> float | None:
        return round(100 * self.settled_on_time / self.settled) if self.settled else None


def office_table(user: User, *, now: dt.datetime | None = None) -> list[OfficeRow]:
    """Per office of the scope: in transit and overdue now (as origin), and over the last
    ``DASHBOARD_OFFICE_WINDOW_DAYS`` of declarations the median hours from departure to arrival and the
    share settled on time (as destination). Bounded by the status and declared_at indexes."""
    return _fresh_or_recount(
        scope_key(user),
        "offices",
        lambda: _office_rows(user, now or timezone.now()),
        settings.DASHBOARD_CACHE_SECONDS,
        floor=NOT_EVIDENCE,
    )[0]


def _office_rows(user: User, now: dt.datetime) -> list[OfficeRow]:
    offices = list(scope_offices(user))
    rows = {o.pk: OfficeRow(o) for o in offices}
    if rows:
        ids = list(rows)
        in_transit = TransitDeclaration.objects.filter(status=Status.IN_TRANSIT, origin_id__in=ids)
        for r in in_transit.values("origin_id").annotate(n=Count("pk"), late=Count("pk", filter=Q(deadline__lt=now))):
            rows[r["origin_id"]].in_transit = r["n"]
            rows[r["origin_id"]].overdue = r["late"]
        since = now - dt.timedelta(days=settings.DASHBOARD_OFFICE_WINDOW_DAYS)
        arrived = TransitDeclaration.objects.filter(
            destination_id__in=ids, status__in=ARRIVED_STATUSES, declared_at__gte=since
        )
        settled = arrived.filter(status=Status.SETTLED).values("destination_id")
        for r in settled.annotate(n=Count("pk"), on_time=Count("pk", filter=Q(arrived_at__lte=F("deadline")))):
            rows[r["destination_id"]].settled = r["n"]
            rows[r["destination_id"]].settled_on_time = r["on_time"]
        for office_id, hours in _median_transit_hours(arrived).items():
            rows[office_id].median_hours = hours
    return list(rows.values())


def _median_transit_hours(arrived: QuerySet) -> dict[int, float]:
    """Median hours departure → arrival per destination: percentile_cont on PostgreSQL."""
    arrived = arrived.filter(departed_at__isnull=False, arrived_at__isnull=False)
    if connection.vendor == "postgresql":
        sql, params = arrived.values("destination_id", "departed_at", "arrived_at").query.sql_with_params()
        # Raw SQL on the database the queryset itself would read (the replica, for the dashboard).
        with connections[arrived.db].cursor() as cur:
            cur.execute(
                "SELECT destination_id, percentile_cont(0.5) WITHIN GROUP "  # noqa: S608 - our own compiled SQL
                "(ORDER BY EXTRACT(EPOCH FROM arrived_at - departed_at) / 3600.0) "
                f"FROM ({sql}) AS a GROUP BY destination_id",
                params,
            )
            return {office_id: round(float(h), 1) for office_id, h in cur.fetchall()}
    # The embedded SQLite default holds demo-sized data: the median in Python is fine there.
    spans: dict[int, list[float]] = {}
    for office_id, dep, arr in arrived.values_list("destination_id", "departed_at", "arrived_at").iterator():
        spans.setdefault(office_id, []).append((arr - dep).total_seconds() / 3600)
    return {office_id: round(statistics.median(v), 1) for office_id, v in spans.items()}


# --- monthly charts ---------------------------------------------------------------------------


def last_jalali_months(now: dt.datetime, n: int | None = None) -> list[tuple[int, int]]:
    n = settings.DASHBOARD_CHART_MONTHS if n is None else n
    months = [dates.jalali_month_of(now)]
    while len(months) < n:
        months.append(dates.previous_jalali_month(*months[-1]))
    return list(reversed(months))


def monthly_charts(user: User, *, now: dt.datetime | None = None) -> dict:
    """Declared, late (arrived after the deadline or still overdue) and settled per Jalali month.

    One range-COUNT per month and series: each is an index range on declared_at or settled_at.
    Closed months never change much, so a month's figures are cached for an hour and the current
    month for the dashboard's usual few minutes.
    """
    scope = scope_key(user)
    return _fresh_or_recount(
        scope,
        "charts",
        lambda: _chart_figures(scope, user, now or timezone.now()),
        settings.DASHBOARD_CACHE_SECONDS,
        floor=NOT_EVIDENCE,
    )[0]


def _chart_figures(scope: str, user: User, now: dt.datetime) -> dict:
    rows = scoped(user).order_by()
    current = dates.jalali_month_of(now)
    labels, declared, late, settled = [], [], [], []
    for year, month in last_jalali_months(now):
        month_key = _cache_key(scope, f"month:{year}-{month}")
        # The current month moves with every declaration: counted with the chart, never kept apart.
        figures = cache.get(month_key) if (year, month) != current else None
        if figures is None:
            start, end = dates.jalali_month_bounds(year, month)
            in_month = rows.filter(declared_at__gte=start, declared_at__lt=end)
            figures = (
                in_month.count(),
                in_month.filter(
                    Q(arrived_at__gt=F("deadline")) | Q(status=Status.IN_TRANSIT, deadline__lt=now)
                ).count(),
                rows.filter(settled_at__gte=start, settled_at__lt=end).count(),
            )
            if (year, month) != current:
                cache.set(month_key, figures, 3600)
        labels.append((year, month))
        declared.append(figures[0])
        late.append(figures[1])
        settled.append(figures[2])
    return {"months": labels, "declared": declared, "late": late, "settled": settled}
