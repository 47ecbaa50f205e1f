"""ANPR pages: cameras, plate search with the sighting history, reports, and the scoped photo views.

Photos and crops are never served from MEDIA_URL: these views stream them after
``get_scoped_or_404``, so a user outside the read's scope gets a 404.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import localised_name
from accounts.scoping import get_scoped_or_404
from core import exports as export_jobs
from core.dates import TEHRAN, format_jalali, parse_jalali_date
from core.errors import DomainError, http_status
from core.files import serve_evidence
from core.forms import RANGE_BACKWARDS, apply_error, date_box_value, no_such_day, range_backwards, read_filters
from core.paging import numbered_page
from core.text import date_hint
from declarations import idents, plates
from declarations.models import OPEN_STATUSES, TransitDeclaration, Vehicle

from . import exports, installation, matching, registry, reports, review, services
from .forms import CameraFilter, CameraForm, ExportFilter, ReportFilter, RetireForm
from .models import Camera, LabelReason, PlateRead

READS_PAGE = 100  # sightings a page of the plate search, as many as a page of the review queue
REPORT_PAGE = 100  # rows a page of a report on screen; its files hold every row


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
    first, last = reports.default_days()
    days = {"from": first, "to": last}
    for name in days:
        text = request.GET.get(name, "").strip()
        if text:
            try:
                days[name] = parse_jalali_date(text)
            except ValueError:  # its own message is the developer's, in English
                errors[name] = no_such_day(text) or _("Enter a Jalali date like %(example)s.") % {
                    "example": date_hint()
                }
    if not errors and range_backwards(days["from"], days["to"]):  # the same day twice: that one day
        errors["to"] = str(RANGE_BACKWARDS)
    start = dt.datetime.combine(days["from"], dt.time(), tzinfo=TEHRAN)
    end = dt.datetime.combine(days["to"] + dt.timedelta(days=1), dt.time(), tzinfo=TEHRAN)
    return start, end, errors


def _export(request, report: reports.Report, fmt: str) -> HttpResponseBase:
    """The CSV, the XLSX and the PDF are built by the worker (``anpr.exports``): the answer is the
    export's page, which shows its progress and then the download."""
    if fmt not in exports.JOB_FORMATS:
        raise Http404
    params = {
        "report": report.code,
        **({"plate": report.plate} if isinstance(report, reports.PlateHistory) else {}),
    }
    job = export_jobs.start(request, kind=exports.KIND, fmt=fmt, query=request.GET.urlencode(), params=params)
    return redirect("core:export-job", pk=job.pk)


def _period_context(request, start, end, errors) -> dict:
    """The period's boxes in the page's digits, a date refused left as it was typed beside its error; and
    the period for the page's links (sort, files), in Latin digits as every address is written."""
    days = {"from": start, "to": end - dt.timedelta(days=1)}
    boxes = {name: request.GET.get(name, "") if name in errors else day for name, day in days.items()}
    return {
        "period_from": date_box_value(boxes["from"]),
        "period_to": date_box_value(boxes["to"]),
        "period_query": urlencode(
            {name: format_jalali(day, with_time=False, persian=False) for name, day in days.items()}
        ),
    }


@login_required
def cameras(request):
    """Cameras of the user's offices; ``?office=CODE`` one office's (from the installation view). A code
    that is no office of the user's is said beside the list, with no cameras (400)."""
    form, data = read_filters(CameraFilter, request, user=request.user)
    context = {"filter_form": form, "may_manage": services.may_manage_cameras(request.user)}
    if data is None:
        return render(request, "anpr/cameras.html", {**context, "cameras": [], "office": ""}, status=400)
    rows = Camera.objects.for_user(request.user).select_related("office").order_by("office__code", "code")
    office = data["office"]
    if office:
        rows = rows.filter(office__code=office)
    return render(request, "anpr/cameras.html", {**context, "cameras": rows, "office": office})


@login_required
def camera_detail(request, pk: int):
    camera = get_scoped_or_404(Camera.objects.select_related("office", "retired_by"), request.user, pk=pk)
    # Each read by its plate in effect (a person's reading over the camera's text), who read it and when.
    reads = review.attach_matches(
        PlateRead.objects.filter(camera=camera)
        .select_related("camera", "office")
        .with_label()
        .order_by("-captured_at", "-id")[:50],
        request.user,
    )
    # The reads of the page that wait for a person (``review.queue``): each row links to where one reads it;
    # a read a person read says who reviewed it and when.
    waiting = set(review.queue(request.user).filter(pk__in=[r.pk for r in reads]).values_list("pk", flat=True))
    for r in reads:
        r.may_label = r.pk in waiting and review.may_label(request.user, r)  # type: ignore[attr-defined]
    return render(
        request,
        "anpr/camera_detail.html",
        {
            "camera": camera,
            "reads": reads,
            "review_links": any(
                r.may_label or r.label_plate is not None  # type: ignore[attr-defined]
                for r in reads
            ),
            "may_manage": services.may_manage_cameras(request.user),
        },
    )


# The tokens just issued, by camera id, until their page shows them (Post/Redirect/Get: a refresh posts nothing).
_TOKENS_TO_SHOW = "camera_tokens_to_show"


def _show_token(request, camera: Camera, token: str, *, new: bool) -> HttpResponse:
    """Redirect to the camera's token page, which shows ``token`` once: it waits in the person's session (on the
    server) until that page takes it out; the database keeps only its hash."""
    waiting = request.session.get(_TOKENS_TO_SHOW, {})
    waiting[str(camera.pk)] = {"token": token, "new": new}
    request.session[_TOKENS_TO_SHOW] = waiting
    return redirect("anpr:camera_token", pk=camera.pk)


@login_required
def camera_token(request, pk: int):
    """The token just issued, shown this once (never cached); opened again, the page says it was shown once
    and offers a new one."""
    camera = get_scoped_or_404(Camera.objects.select_related("office"), request.user, pk=pk)
    _check_manager(request.user)
    waiting = request.session.get(_TOKENS_TO_SHOW, {})
    shown = waiting.pop(str(camera.pk), None)
    if shown is not None:
        request.session[_TOKENS_TO_SHOW] = waiting
    response = render(
        request,
        "anpr/camera_token.html",
        {"camera": camera, "token": shown["token"] if shown else "", "new": bool(shown and shown["new"])},
    )
    add_never_cache_headers(response)
    return response


def _check_manager(user) -> None:
    if not services.may_manage_cameras(user):
        raise PermissionDenied(str(services.WHO_MANAGES_CAMERAS))


@login_required
def camera_new(request):
    """IT or headquarters registers a camera; the answer redirects to its token, shown once."""
    _check_manager(request.user)
    form = CameraForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            camera, token = services.camera_register(
                office=data["office"],
                code=data["code"],
                direction=data["direction"],
                lane=data["lane"],
                model_name=data["model_name"],
                by=request.user,
            )
        except DomainError as exc:
            apply_error(form, exc)
        else:
            return _show_token(request, camera, token, new=True)
    return render(request, "anpr/camera_new.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_POST
def camera_rotate(request, pk: int):
    """A new token, shown once on the page the answer redirects to; the old one is refused from now on."""
    camera = get_scoped_or_404(Camera.objects.select_related("office"), request.user, pk=pk)
    _check_manager(request.user)
    try:
        camera, token = services.camera_rotate_token(camera=camera, by=request.user)
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect("anpr:camera", pk=pk)
    return _show_token(request, camera, token, new=False)


@login_required
def camera_retire(request, pk: int):
    camera = get_scoped_or_404(Camera.objects.select_related("office", "retired_by"), request.user, pk=pk)
    _check_manager(request.user)
    if camera.status == Camera.Status.RETIRED:
        # Said, not offered again: when, by whom and why (a second retirement is an illegal move, 409).
        status = 409 if request.method == "POST" else 200
        return render(request, "anpr/camera_retire.html", {"camera": camera}, status=status)
    form = RetireForm(request.POST or None)
    status = 200
    if request.method == "POST" and not form.is_valid():
        status = 400  # refused beside the field (a reason past its limit), as the service's refusals are
    elif request.method == "POST":
        try:
            services.camera_retire(camera=camera, by=request.user, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            apply_error(form, exc)
            status = http_status(exc)
        else:
            messages.success(request, _("Camera %(code)s is out of service.") % {"code": idents.camera_text(camera)})
            return redirect("anpr:camera", pk=pk)
    return render(request, "anpr/camera_retire.html", {"camera": camera, "form": form}, status=status)


@login_required
def installation_view(request):
    """Directive point 3: offices planned to have a camera, cameras registered, cameras reading."""
    provinces = installation.installation(request.user)
    totals = {
        "planned": sum(p.planned for p in provinces),
        "with_camera": sum(p.with_camera for p in provinces),
        "reading": sum(p.reading for p in provinces),
    }
    return render(
        request,
        "anpr/installation.html",
        {"provinces": provinces, "totals": totals, "may_manage": services.may_manage_cameras(request.user)},
    )


@login_required
def plate_search(request):
    """A plate typed in any digit script: its sighting history, similar reads, and its declarations."""
    query = request.GET.get("q", "").strip()
    start, end, errors = _period(request)
    form, data = read_filters(ExportFilter, request)
    context = {"query": query, "errors": errors, "filter_form": form, **_period_context(request, start, end, errors)}
    plate = matching.match_key(query) if query else ""
    if query and not plate:
        errors["q"] = _("'%(text)s' is not a plate.") % {"text": plates.typed(query)}
    if errors or data is None:  # no sightings, no file: never the page in place of the file asked for
        return render(request, "anpr/plates.html", context, status=400)
    if not query:
        return render(request, "anpr/plates.html", context)
    history = reports.PlateHistory(request.user, start, end, plate)
    if fmt := data["format"]:
        return _export(request, history, fmt)
    similar_plates = set(matching.variants(plate, 0.9)) - {plate}
    similar = (
        # By each read's plate now: a read a person corrected is listed under the plate they read, not the camera's.
        PlateRead.objects.for_user(request.user)
        .read_as(similar_plates, start, end)
        .select_related("camera", "office")
        .with_label()
        .order_by("-captured_at")[:50]
    )
    declarations = (
        TransitDeclaration.objects.for_user(request.user)
        .filter(vehicle__in=Vehicle.objects.filter(plate=plate))
        .select_related("origin", "destination")
        .order_by("-declared_at")[:50]
    )
    pages = numbered_page(request, history.queryset(), size=READS_PAGE)
    context.update(
        {
            "plate": plate,
            "reads": review.attach_matches(pages.rows, request.user),
            "pages": pages,
            "similar": review.attach_matches(similar, request.user),
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
    # ``?sort=N&dir=desc`` (a column, from 0, of a report that sorts) and ``?format=``.
    form, data = read_filters(ReportFilter, request, columns=len(cls.headers) if cls.sortable else 0)
    context = {
        "errors": errors,
        "filter_form": form,
        "reports": reports.REPORTS.values(),
        "code": code,
        **_period_context(request, start, end, errors),
    }
    if errors or data is None:  # no rows, no file
        return render(request, "anpr/report.html", context, status=400)
    generator = cls(request.user, start, end)
    if fmt := data["format"]:
        return _export(request, generator, fmt)
    sort = data["sort"]
    descending = sort is not None and data["dir"] == "desc"
    rows = generator.sorted_rows(sort, descending) if generator.sortable else list(generator.rows())
    pages = numbered_page(request, rows, size=REPORT_PAGE)
    context.update(
        {
            "report": generator,
            "headers": generator.headers,
            "rows": [generator.cells_html(row) for row in pages.rows],
            "pages": pages,
            "sort": sort,
            "descending": descending,
        }
    )
    return render(request, "anpr/report.html", context)


@login_required
def index(request):
    """Cameras and today's reads of the user's offices, with links to search and reports."""
    today = dt.datetime.combine(timezone.now().astimezone(TEHRAN).date(), dt.time(), tzinfo=TEHRAN)
    per_office = [
        {
            "code": row["office__code"],
            "name": localised_name(row["office__name_fa"], row["office__name_en"]),
            "n": row["n"],
        }
        for row in PlateRead.objects.filter(request.user.scope_q("office"), captured_at__gte=today)
        .values("office__code", "office__name_fa", "office__name_en")
        .annotate(n=Count("id"))
        .order_by("office__code")
    ]
    silent = Camera.objects.for_user(request.user).filter(health=Camera.Health.SILENT).count()
    # Plates found but left to a person (not Iranian, another layout): the review queue's tab of them, so
    # a read a person has read since leaves this list as it leaves the queue.
    manual = review.queue(request.user, LabelReason.NOT_IRANIAN)
    rows = review.attach_matches(manual[:50], request.user)
    for r in rows:  # the page where it is read, for a person who may read it (not IT, who sees them all)
        r.may_label = review.may_label(request.user, r)
    return render(
        request,
        "anpr/index.html",
        {
            "per_office": per_office,
            "silent": silent,
            "reports": reports.REPORTS.values(),
            "manual": rows,
            "manual_kind": LabelReason.NOT_IRANIAN.value,
            "manual_count": manual.order_by().count(),
            "may_models": registry.may_change_models(request.user),
        },
    )
