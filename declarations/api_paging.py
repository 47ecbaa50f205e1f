"""The API's one way of giving a list: keyset pages (``after``/``before`` cursors, ``page_size`` 1..200) in an
object with ``count`` and ``next``/``previous`` links, as /api/declarations/ first gave them. Every list of
records that can grow (declarations, plate reads, scans, permits) answers through ``CursorPagination``, so a
client walks any of them the same way to the end, and never gets a list cut at some row count unsaid."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from core.text import digits

from . import selectors
from .paging import PAGE_SIZE, BadCursor, Page, keyset_page

PAGE_SIZE_MAX = 200
PAGE_PARAMS = [
    OpenApiParameter("after", OpenApiTypes.STR, description="cursor of the next page"),
    OpenApiParameter("before", OpenApiTypes.STR, description="cursor of the previous page"),
    OpenApiParameter(
        "page_size",
        {"type": "integer", "minimum": 1, "maximum": PAGE_SIZE_MAX, "default": PAGE_SIZE},
        description=f"rows per page, 1..{PAGE_SIZE_MAX}, default {PAGE_SIZE}",
    ),
]
PAGE_PARAM_NAMES = tuple(p.name for p in PAGE_PARAMS)


class PageBase(serializers.Serializer):
    count = serializers.IntegerField()
    count_capped = serializers.BooleanField(help_text="true: there are more than `count` rows")
    count_estimated = serializers.BooleanField(
        help_text="true: `count` is the database's estimate, rounded (too many rows to count on each page)"
    )
    next = serializers.CharField(allow_null=True, help_text="the next page's address; null on the last")
    previous = serializers.CharField(allow_null=True, help_text="the previous page's address; null on the first")


def page_of(
    name: str, item: type[serializers.Serializer], *, base: type[PageBase] = PageBase
) -> type[serializers.Serializer]:
    """The schema of a page of ``item`` rows, named ``name`` (a page object, although a list action answers it);
    ``base``: ``PageBase`` with the keys a list adds beside ``count``."""
    cls = type(name, (base,), {"results": item(many=True), "__module__": __name__})
    return extend_schema_serializer(many=False)(cls)


def page_url(request, **cursor) -> str:
    params = {k: v for k, v in request.query_params.items() if k not in ("after", "before")}
    params.update(cursor)
    return request.build_absolute_uri(request.path) + "?" + urlencode(params)


def cursor_param(request) -> str:
    """The page parameter a bad cursor came in: ``before`` when that was sent, else ``after``."""
    return "before" if request.query_params.get("before") else "after"


def page_size(request) -> int:
    """``?page_size=``: a whole number from 1 to 200 (any digit script); absent or empty is the default. A
    number outside them is a 400 naming it, as a word is: never a page of another size than asked."""
    text = request.query_params.get("page_size", "").strip()
    if not text:
        return PAGE_SIZE
    try:
        size = int(text)
    except ValueError:
        raise ValidationError({"page_size": [_("must be a whole number")]}) from None
    if not 1 <= size <= PAGE_SIZE_MAX:
        bounds = {"min": digits(1), "max": digits(PAGE_SIZE_MAX)}
        raise ValidationError({"page_size": [_("must be from %(min)s to %(max)s") % bounds]})
    return size


class CursorPagination:
    """One page of a queryset in ``sort`` order (a non-null field, ``-`` for descending, then id), answered as
    ``{count, count_capped, count_estimated, next, previous, results}``."""

    def __init__(self, sort: str):
        self.sort = sort

    def page(self, request, qs: QuerySet, *, branches: list[Q] | None = None) -> Page:
        try:
            return keyset_page(
                qs,
                self.sort,
                after=request.query_params.get("after"),
                before=request.query_params.get("before"),
                size=page_size(request),
                branches=branches,
            )
        except BadCursor:  # named as sent: a client knows ``after`` and ``before``, no "cursor"
            raise ValidationError({cursor_param(request): [_("invalid cursor")]}) from None

    def response(self, request, qs: QuerySet, page: Page, results) -> Response:
        count = selectors.list_count(qs, page)
        return Response(
            {
                "count": count.value,
                "count_capped": count.capped,
                "count_estimated": count.estimated,
                "next": page_url(request, after=page.next_cursor) if page.next_cursor else None,
                "previous": page_url(request, before=page.prev_cursor) if page.prev_cursor else None,
                "results": results,
            }
        )

    def paginate(self, request, qs: QuerySet, serializer_class, **context) -> Response:
        page = self.page(request, qs)
        return self.response(request, qs, page, serializer_class(page.rows, many=True, context=context).data)
