"""Keyset (cursor) paging for long lists (declarations, reads to review, export jobs): page N costs
what page 1 costs; numbered pages (``numbered_page``) for the shorter lists whose order is more than
one column (cases, letters, returns, problems, actions ...).

A cursor is the sort key of the row at the page's edge, ``(value, id)``, so the
next page is ``WHERE (value, id) < (v, i) ORDER BY value DESC, id DESC LIMIT n``:
an index range (``decl_declared_desc`` for declarations, the unique serial), never an OFFSET.
The condition is written ``value <= v AND (value < v OR id < i)`` so the planner
gets a range bound on the indexed column. Cursors are opaque URL-safe tokens.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import Q, QuerySet

PAGE_SIZE = 25  # a screen at 1366×768; each row costs render time at 8 concurrent users


class BadCursor(ValueError):
    pass


@dataclass
class Page:
    rows: list
    next_cursor: str | None
    prev_cursor: str | None
    sort: str
    complete: bool = False  # the first page and the last: ``rows`` is the whole list


def _encode(value, pk: int) -> str:
    if isinstance(value, dt.datetime):
        value = {"t": value.isoformat()}
    elif isinstance(value, dt.date):  # a due date (inspection actions)
        value = {"d": value.isoformat()}
    raw = json.dumps([value, pk], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(token: str):
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        value, pk = json.loads(raw)
        if isinstance(value, dict):
            value = dt.date.fromisoformat(value["d"]) if "d" in value else dt.datetime.fromisoformat(value["t"])
        if not isinstance(pk, int):
            raise TypeError
    except (ValueError, TypeError, KeyError) as exc:
        raise BadCursor("invalid cursor") from exc
    return value, pk


def _beyond(field: str, desc: bool, value, pk: int) -> Q:
    """Rows after (value, pk) in the given direction."""
    if desc:
        return Q(**{f"{field}__lte": value}) & (Q(**{f"{field}__lt": value}) | Q(pk__lt=pk))
    return Q(**{f"{field}__gte": value}) & (Q(**{f"{field}__gt": value}) | Q(pk__gt=pk))


def _keys(qs: QuerySet, field: str, order: list[str], cond: Q | None, limit: int, branches: list[Q]):
    """Sort keys of the first ``limit`` rows: one index range per branch, merged (a UNION done here)."""
    reverse = order[0].startswith("-")
    keys: dict[int, object] = {}
    for branch in branches:
        part = qs.filter(branch)
        if cond is not None:
            part = part.filter(cond)
        for value, pk in part.order_by(*order).values_list(field, "pk")[:limit]:
            keys[pk] = value
    ranked = sorted(keys.items(), key=lambda kv: (kv[1], kv[0]), reverse=reverse)
    return [pk for pk, _value in ranked[:limit]]


def _fetch(qs: QuerySet, field: str, order: list[str], cond: Q | None, limit: int, branches: list[Q] | None):
    if not branches:
        part = qs.filter(cond) if cond is not None else qs
        return list(part.order_by(*order)[:limit])
    ids = _keys(qs, field, order, cond, limit, branches)
    by_id = {row.pk: row for row in qs.filter(pk__in=ids)}
    return [by_id[pk] for pk in ids if pk in by_id]


def keyset_page(
    qs: QuerySet,
    sort: str,
    *,
    after: str | None = None,
    before: str | None = None,
    size: int = PAGE_SIZE,
    branches: list[Q] | None = None,
) -> Page:
    """One page of ``qs`` ordered by ``sort`` (a non-null field, ``-`` for descending) then id.

    ``after`` pages forward from a cursor, ``before`` pages back. ``branches``: OR-ed conditions
    whose union is ``qs`` (an office as origin, as destination ...); each is read along its own
    index and the results merged, which the planner cannot do for an OR. Raises BadCursor.
    """
    field = sort.lstrip("-")
    desc = sort.startswith("-")
    forward = [f"-{field}", "-pk"] if desc else [field, "pk"]
    backward = [field, "pk"] if desc else [f"-{field}", "-pk"]
    if before:
        value, pk = _decode(before)
        rows = _fetch(qs, field, backward, _beyond(field, not desc, value, pk), size + 1, branches)
        more = len(rows) > size
        rows = list(reversed(rows[:size]))
        prev_cursor = _encode(getattr(rows[0], field), rows[0].pk) if more and rows else None
        next_cursor: str | None = _encode(value, pk)  # the page we came back from
        return Page(rows, next_cursor, prev_cursor, sort)
    cond = None
    if after:
        value, pk = _decode(after)
        cond = _beyond(field, desc, value, pk)
    rows = _fetch(qs, field, forward, cond, size + 1, branches)
    more = len(rows) > size
    rows = rows[:size]
    next_cursor = _encode(getattr(rows[-1], field), rows[-1].pk) if more else None
    prev_cursor = _encode(getattr(rows[0], field), rows[0].pk) if after and rows else None
    return Page(rows, next_cursor, prev_cursor, sort, complete=not after and not more)


@dataclass
class NumberedPage:
    """One numbered page of a list, for ``includes/page_numbers.html``: its rows, the real total
    (``count``), the page numbers to link (``Paginator.ELLIPSIS`` where some are left out) and the
    request's other parameters (``query``), so the filters stay on every page."""

    rows: list
    number: int
    pages: int
    count: int
    numbers: list
    previous: int | None
    next: int | None
    query: str
    ellipsis: object = Paginator.ELLIPSIS


def numbered_page(request, rows, *, size: int = PAGE_SIZE) -> NumberedPage:
    """Page ``?page=`` of ``rows`` (a queryset in its own order), ``size`` a page; a page past the end
    or not a number is the last or the first page. Counts the rows (one query)."""
    paginator = Paginator(rows, size)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return NumberedPage(
        rows=list(page.object_list),
        number=page.number,
        pages=paginator.num_pages,
        count=paginator.count,
        numbers=list(paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)),
        previous=page.previous_page_number() if page.has_previous() else None,
        next=page.next_page_number() if page.has_next() else None,
        query=query.urlencode(),
    )
