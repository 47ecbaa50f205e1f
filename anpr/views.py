"""ANPR pages: cameras, plate search with the sighting history, reports, and the scoped photo views.

Photos and crops are never served from MEDIA_URL: these views stream them after
``get_scoped_or_404``, so a user outside the read's scope gets a 404.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.scoping import get_scoped_or_404
from core.dates import TEHRAN, format_jalali, parse_jalali_date
from core.files import serve_evidence, serve_export
from declarations.models import OPEN_STATUSES, TransitDeclaration, Vehicle

from . import matching, reports
from .models import Camera, PlateRead, Recognition

DEFAULT_DAYS = 30
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _image(request, read: PlateRead, field: str):
    """The read's photo or plate crop (PNG or JPEG, as stored), checked against its SHA-256."""
    fieldfile = getattr(read, field)
    if not fieldfile:
        raise Http404(_("No image."))
    ext = "png" if fieldfile.name.endswith(".png") else "jpg"
    return serve_evidence(
        request,
        fieldfile,
        sha256=getattr(read, f"{field}_sha256"),
        filename=f"read-{read.pk}-{field}.{ext}",
        content_type="image/png" if ext == "png" else "image/jpeg",
        office_id=read.office_id,
    )


@login_required
def photo(request, pk: int):
    return _image(request, get_scoped_or_404(PlateRead.objects.all(), request.user, pk=pk), "photo")


@login_required
def crop(request, pk: int):
    return _image(request, get_scoped_or_404(PlateRead.objects.all(), request.user, pk=pk), "crop")


def _period(request) -> tuple[dt.datetime, dt.datetime, dict[str, str]]:
    """``from``/``to`` Jalali dates (any digits), both days included; default the last 30 days."""
    errors = {}
    today = timezone.now().astimezone(TEHRAN).date()
    days = {"from": today - dt.timedelta(days=DEFAULT_DAYS - 1), "to": today}
    for name in days:
        text = request.GET.get(name, "").strip()
        if text:
            try:
                days[name] = parse_jalali_date(text)
            except ValueError as exc:
                errors[name] = str(exc)
    if not errors and days["from"] > days["to"]:
        errors["to"] = _("The end of the period is before its start.")
    start = dt.datetime.combine(days["from"], dt.time(), tzinfo=TEHRAN)
    end = dt.datetime.combine(days["to"] + dt.timedelta(days=1), dt.time(), tzinfo=TEHRAN)
    return start, end, errors


def _export(request, report: reports.Report, fmt: str) -> HttpResponseBase:
    body = report.to_xlsx() if fmt == "xlsx" else report.to_csv()
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    return serve_export(request, response, subject=PlateRead, filename=report.filename(fmt), report=report.code)


def _period_context(start, end) -> dict:
    return {
        "period_from": format_jalali(start, with_time=False, persian=False),
        "period_to": format_jalali(end - dt.timedelta(days=1), with_time=False, persian=False),
    }


@login_required
def cameras(request):
    rows = Camera.objects.for_user(request.user).select_related("office").order_by("office__code", "code")
    return render(request, "anpr/cameras.html", {"cameras": rows})


@login_required
def camera_detail(request, pk: int):
    camera = get_scoped_or_404(Camera.objects.select_related("office"), request.user, pk=pk)
    reads = (
        PlateRead.objects.filter(camera=camera).select_related("camera", "office").order_by("-captured_at", "-id")[:50]
    )
    return render(request, "anpr/camera_detail.html", {"camera": camera, "reads": reads})


@login_required
def plate_search(request):
    """A plate typed in any digit script: its sighting history, similar reads, and its declarations."""
    query = request.GET.get("q", "").strip()
    start, end, errors = _period(request)
    context = {"query": query, "errors": errors, **_period_context(start, end)}
    if not query:
        return render(request, "anpr/plates.html", context)
    plate = matching.match_key(query)
    if not plate:
        errors["q"] = _("'%(text)s' is not a plate.") % {"text": query}
    if errors:
        return render(request, "anpr/plates.html", context, status=400)
    history = reports.PlateHistory(request.user, start, end, plate)
    fmt = request.GET.get("format", "")
    if fmt in CONTENT_TYPES:
        return _export(request, history, fmt)
    similar_plates = set(matching.variants(plate, 0.9)) - {plate}
    similar = (
        PlateRead.objects.for_user(request.user)
        .filter(plate__in=similar_plates, captured_at__gte=start, captured_at__lt=end)
        .select_related("camera", "office")
        .order_by("-captured_at")[:50]
    )
    declarations = (
        TransitDeclaration.objects.for_user(request.user)
        .filter(vehicle__in=Vehicle.objects.filter(plate=plate))
        .select_related("origin", "destination")
        .order_by("-declared_at")[:50]
    )
    context.update(
        {
            "plate": plate,
            "reads": list(history.queryset()[:500]),
            "similar": list(similar),
            "declarations": declarations,
            "open_statuses": OPEN_STATUSES,
        }
    )
    return render(request, "anpr/plates.html", context)


@login_required
def report(request, code: str):
    cls = reports.REPORTS.get(code)
    if cls is None:
        raise Http404
    if not cls.is_available_to(request.user):
        raise PermissionDenied
    start, end, errors = _period(request)
    context = {"errors": errors, "reports": reports.REPORTS.values(), "code": code, **_period_context(start, end)}
    if errors:
        return render(request, "anpr/report.html", context, status=400)
    generator = cls(request.user, start, end)
    fmt = request.GET.get("format", "")
    if fmt in CONTENT_TYPES:
        return _export(request, generator, fmt)
    context.update({"report": generator, "headers": generator.headers, "rows": list(generator.rows())[:2000]})
    return render(request, "anpr/report.html", context)


@login_required
def index(request):
    """Cameras and today's reads of the user's offices, with links to search and reports."""
    today = dt.datetime.combine(timezone.now().astimezone(TEHRAN).date(), dt.time(), tzinfo=TEHRAN)
    per_office = (
        PlateRead.objects.filter(request.user.scope_q("office"), captured_at__gte=today)
        .values("office__code", "office__name_fa")
        .annotate(n=Count("id"))
        .order_by("office__code")
    )
    silent = Camera.objects.for_user(request.user).filter(health=Camera.Health.SILENT).count()
    # Plates found but not read (not Iranian): the queue a person reads from the photos.
    manual = PlateRead.objects.filter(request.user.scope_q("office"), recognition=Recognition.MANUAL)
    return render(
        request,
        "anpr/index.html",
        {
            "per_office": per_office,
            "silent": silent,
            "reports": reports.REPORTS.values(),
            "manual": list(manual.select_related("camera", "office").order_by("-captured_at", "-id")[:50]),
            "manual_count": manual.count(),
        },
    )
