"""Scan pages and files. Every object comes through ``get_scoped_or_404``: outside the scope is a 404.

Files are never served by URL from the media directory; these views stream them
after the scope check.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.scoping import get_scoped_or_404
from core.api import error_body
from core.dates import format_jalali
from core.errors import DomainError, IllegalTransition, NotAllowed
from core.files import serve_evidence
from core.text import digits, is_persian, isolate, join_messages
from declarations.models import Review, TransitDeclaration, Verdict

from . import reuse_reviews, selectors, services
from .forms import ReuseReviewForm, ReviewForm, ScanUploadForm
from .models import Scan, ScanComparison, ScanReuseReview, Stage
from .validation import ScanRejected


def _stored_message() -> str:
    """The success message of an upload, its count still to fill in (``%(n)s``)."""
    return _("%(n)s scan(s) stored.")


def _declaration(request, pk: int) -> TransitDeclaration:
    return get_scoped_or_404(TransitDeclaration.objects.select_related("origin", "destination"), request.user, pk=pk)


def _upload_stages(user, declaration) -> list[str]:
    return [s for s in Stage.values if services.can_upload(user, declaration, s)]


@login_required
def declaration_scans(request, pk: int):
    declaration = _declaration(request, pk)
    form, stages, closed = _upload_form(request, declaration)
    return _render_page(request, declaration, form, stages, closed=closed)


def _upload_form(request, declaration) -> tuple[ScanUploadForm, list[str], list[str]]:
    """The upload form as the page offers it, with its stages and why any other stage is closed now."""
    # The form offers only the stages the declaration's status lets the user add now; a stage the
    # user's office may upload later is named with why it cannot be added yet.
    rights = _upload_stages(request.user, declaration)
    stages = [s for s in rights if services.stage_open(declaration, s)]
    closed = [services.stage_closed_message(declaration, s) for s in rights if s not in stages]
    form = ScanUploadForm(
        stages=stages,
        initial={
            "captured_at": format_jalali(timezone.now(), persian=is_persian()),
            "stage": stages[0] if stages else "",
        },
    )
    return form, stages, closed


def _reuse_findings(request, declaration, scans: list[Scan], bound: ReuseReviewForm | None, bound_scan: int | None):
    """The declaration's scans that repeat another truck's scan, each with its review, or the form to record
    one for those who may (``bound``: the form just posted for ``bound_scan``, with its errors)."""
    ids = set(Scan.objects.filter(pk__in=[s.pk for s in scans]).reuse_findings().values_list("pk", flat=True))
    if not ids:
        return []
    # Each finding's reviews in the order recorded: the last counts, the earlier ones are its history.
    reviews: dict[int, list[ScanReuseReview]] = {}
    for r in ScanReuseReview.objects.filter(scan_id__in=ids).select_related("by").order_by("id"):
        reviews.setdefault(r.scan_id, []).append(r)
    may = reuse_reviews.may_review(request.user, declaration)
    found = []
    for scan in scans:
        if scan.pk not in ids:
            continue
        history = reviews.get(scan.pk, [])
        review = history[-1] if history else None
        form = None
        if may:  # a review, or a revision of the one that counts
            revises = review.pk if review is not None else None
            form = (
                bound
                if bound_scan == scan.pk and bound is not None
                else ReuseReviewForm(scan_id=scan.pk, supersedes=revises)
            )
        found.append({"scan": scan, "review": review, "earlier": history[-2::-1], "form": form})
    return found


def _render_page(
    request,
    declaration,
    form,
    stages,
    status: int = 200,
    closed: list[str] | None = None,
    reuse_form: ReuseReviewForm | None = None,
    reuse_scan: int | None = None,
):
    scans = list(Scan.objects.filter(declaration=declaration).select_related("office", "uploaded_by"))
    comparisons = (
        ScanComparison.objects.filter(declaration=declaration)
        .select_related("reviewed_by")
        .order_by("-created_at", "-id")
    )
    waiting = (ScanComparison.Status.QUEUED, ScanComparison.Status.RUNNING)
    current = services.current_comparisons(declaration.pk)
    missing = services.missing_views(declaration.pk)
    # With more than one view compared, or a view of the pass missing on one side, the verdict the
    # declaration carries is their combination.
    combined = (
        services.combined_outcome(current, missing=bool(missing))
        if missing or len({c.view for c in current}) > 1
        else None
    )
    context = {
        "combined": combined,
        "missing_views": missing,
        "combined_label": Verdict(combined[0]).label if combined else "",
        "declaration": declaration,
        # Comparisons run in the worker: the section polls itself until each has its verdict.
        "comparing": any(c.status in waiting for c in comparisons),
        "origin_scans": [s for s in scans if s.stage == Stage.ORIGIN],
        "dest_scans": [s for s in scans if s.stage == Stage.DESTINATION],
        "comparisons": comparisons,
        "may_retry": any(services.can_retry(request.user, c) for c in comparisons if c.status == "failed"),
        "form": form if stages else None,
        "closed_stages": closed or [],
        # Scans whose image is also another declaration's scan (either way), as this user may be told.
        "reuses": [r for found in selectors.reuses(scans, request.user).values() for r in found],
        # Those of them that repeat another truck's scan: their reviews, or the form to record one.
        "reuse_findings": _reuse_findings(request, declaration, scans, reuse_form, reuse_scan),
        # The page's script says how many files it stored with the message the form's post gives.
        "stored_message": _stored_message(),
    }
    if request.GET.get("partial") == "comparisons" and request.headers.get("HX-Request") == "true":
        return render(request, "scans/_comparisons.html", context)
    return render(request, "scans/declaration_scans.html", context, status=status)


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _error(request, declaration, form, stages, *, status: int, code: str, message: str, fields: dict, first=None):
    if _wants_json(request):
        body = error_body(code, message, fields)
        if first is not None:  # a duplicate: where the first upload of the same image is
            body["error"]["duplicate_of"] = {"id": first.pk, "url": reverse("scans:original", args=[first.pk])}
        return JsonResponse(body, status=status)
    for field, text in fields.items():
        if first is not None:
            text = format_html(
                '{} <a href="{}" data-duplicate-of="{}">{}</a>',
                text,
                reverse("scans:original", args=[first.pk]),
                first.pk,
                _("Open the first upload"),
            )
        form.add_error(field if field in form.fields else None, text)
    return _render_page(request, declaration, form, stages, status=status)


@login_required
@require_POST
def upload(request, pk: int):
    """One or more files of one stage. The page's script posts one file per request to show progress."""
    declaration = _declaration(request, pk)
    stages = _upload_stages(request.user, declaration)
    if not stages:
        raise PermissionDenied(_("You may not upload scans for this declaration."))
    form = ScanUploadForm(request.POST, request.FILES, stages=stages)
    if not form.is_valid():
        fields = {k: " ".join(map(str, v)) for k, v in form.errors.items()}
        if _wants_json(request):
            # The page's script shows this beside the file's name: each field by its label, as the form names it.
            message = join_messages(
                f"{form.fields[k].label if k in form.fields else k}: {v}" for k, v in fields.items()
            )
            return JsonResponse(error_body("invalid", message, fields), status=400)
        return _render_page(request, declaration, form, stages, status=400)
    data = form.cleaned_data
    try:
        scans = services.scan_upload(
            declaration=declaration,
            stage=data["stage"],
            scanner_id=data["scanner_id"],
            captured_at=data["captured_at"],
            files=data["files"],
            by=request.user,
            view=data["view"],
            pseudo_colour=data["pseudo_colour"],
        )
    except ScanRejected as exc:
        field = "files" if exc.field == "file" else exc.field
        text = exc.message
        if _wants_json(request) and field == "files" and not exc.name and len(data["files"]) == 1:
            # The page's script posts one file a request and shows its refusal beside the file field, where
            # another file's may stand too: named there, once, as a refusal of one of several files is
            # (``services.scan_upload``); a colour or duplicate refusal names its file itself (``exc.name``).
            text = f"{isolate(data['files'][0].name[-200:], 'auto')}: {exc.message}"
        fields = {field: text}
        return _error(
            request,
            declaration,
            form,
            stages,
            status=exc.status,
            code=exc.code,
            message=exc.message,
            fields=fields,
            first=getattr(exc, "first", None),
        )
    except NotAllowed as exc:
        raise PermissionDenied(str(exc)) from exc
    except DomainError as exc:
        fields = {k: str(exc) for k in exc.fields} or {"__all__": str(exc)}
        return _error(request, declaration, form, stages, status=400, code=exc.code, message=str(exc), fields=fields)
    if _wants_json(request):
        return JsonResponse({"scans": [{"id": s.pk, "sha256": s.sha256} for s in scans]}, status=201)
    messages.success(request, _stored_message() % {"n": digits(len(scans))})
    return redirect("scans:declaration", pk=declaration.pk)


@login_required
def original(request, pk: int):
    scan = get_scoped_or_404(Scan.objects.select_related("declaration"), request.user, pk=pk)
    # Browsers cannot show TIFF: download it; PNG/JPEG open in place.
    return serve_evidence(
        request,
        scan.original,
        sha256=scan.sha256,
        filename=scan.download_name(),
        content_type=scan.content_type,
        as_attachment=scan.format == "TIFF",
        office_id=scan.office_id,
        declaration_id=scan.declaration_id,
    )


@login_required
def preview(request, pk: int, kind: str):
    scan = get_scoped_or_404(Scan.objects.select_related("declaration"), request.user, pk=pk)
    field = {"thumb": "thumbnail", "web": "web_image"}.get(kind)
    if field is None:
        raise Http404
    return serve_evidence(
        request,
        getattr(scan, field),
        sha256=getattr(scan, f"{field}_sha256"),
        filename=scan.download_name({"thumb": "thumbnail", "web": "preview"}[kind]),
        content_type="image/jpeg",
        office_id=scan.office_id,
        declaration_id=scan.declaration_id,
    )


@login_required
def heatmap(request, pk: int):
    comparison = get_scoped_or_404(
        ScanComparison.objects.select_related("dest_scan", "declaration"), request.user, pk=pk
    )
    if comparison.unaligned:
        # No change map: the overlay stored is the origin image alone, which served here reads as "no change".
        # It stays stored (evidence); the viewer shows its no-change-map pane instead.
        raise Http404(_("These images could not be aligned: there is no change map."))
    return serve_evidence(
        request,
        comparison.heatmap,
        sha256=comparison.heatmap_sha256,
        filename=comparison.heatmap_download_name(),
        content_type="image/png",
        office_id=comparison.dest_scan.office_id,
        declaration_id=comparison.declaration_id,
    )


def _viewer_page(request, comparison, review_form, status: int = 200):
    # One view of a dual-view pass: the page also gives the pass's combined verdict and the other
    # views' comparisons, so that a reviewer who came for one view does not miss the other.
    current = services.current_comparisons(comparison.declaration_id)
    is_current = any(c.pk == comparison.pk for c in current)
    others = [c for c in current if c.pk != comparison.pk] if is_current else []
    missing = services.missing_views(comparison.declaration_id) if is_current else []
    combined = services.combined_outcome(current, missing=bool(missing)) if others or missing else None
    dest_boxes = comparison.dest_boxes
    return render(
        request,
        "scans/viewer.html",
        {
            "combined": combined,
            "combined_label": Verdict(combined[0]).label if combined else "",
            "missing_views": missing,
            "other_views": others,
            "comparison": comparison,
            "declaration": comparison.declaration,
            "boxes_json": json.dumps(comparison.boxes),
            # None: made before the destination's boxes were recorded; the page says they are on the origin only
            "dest_boxes_json": None if dest_boxes is None else json.dumps(dest_boxes),
            "mirrored": bool(comparison.details.get("mirrored")),
            "review_form": review_form,
            "reuses": [
                r
                for found in selectors.reuses([comparison.origin_scan, comparison.dest_scan], request.user).values()
                for r in found
            ],
        },
        status=status,
    )


@login_required
def viewer(request, pk: int):
    comparison = get_scoped_or_404(
        ScanComparison.objects.select_related("declaration", "origin_scan", "dest_scan", "reviewed_by"),
        request.user,
        pk=pk,
    )
    can_review = services.can_review(request.user, comparison) and comparison.review == Review.PENDING
    form = (
        ReviewForm(unaligned=comparison.unaligned, flagged=services.flagged(comparison, request.user))
        if can_review
        else None
    )
    return _viewer_page(request, comparison, form)


@login_required
@require_POST
def review(request, pk: int):
    comparison = get_scoped_or_404(ScanComparison.objects.select_related("declaration"), request.user, pk=pk)
    if not services.can_review(request.user, comparison):
        raise PermissionDenied(_("Only staff of the destination office may review this comparison."))
    form = ReviewForm(request.POST, unaligned=comparison.unaligned, flagged=services.flagged(comparison, request.user))
    if form.is_valid():
        try:
            services.comparison_review(
                comparison=comparison,
                by=request.user,
                decision=form.cleaned_data["decision"],
                remark=form.cleaned_data["remark"],
            )
        except DomainError as exc:
            form.add_error("remark" if "remark" in exc.fields else None, str(exc))
        else:
            messages.success(request, _("Review recorded."))
            return redirect("scans:viewer", pk=comparison.pk)
    return _viewer_page(request, comparison, form, status=400)


@login_required
@require_POST
def retry(request, pk: int):
    """A comparison that could not run is queued again; back to the declaration's scans, where it
    shows its progress as a new one does."""
    comparison = get_scoped_or_404(ScanComparison.objects.select_related("declaration"), request.user, pk=pk)
    if not services.can_retry(request.user, comparison):
        raise PermissionDenied(_("Only the offices of this declaration and the IT office may run a comparison again."))
    try:
        services.comparison_retry(comparison=comparison, by=request.user)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The comparison is queued again."))
    return redirect(reverse("scans:declaration", args=[comparison.declaration_id]) + f"#comparison-{comparison.pk}")


@login_required
@require_POST
def reuse_review(request, pk: int):
    """Headquarters or the province's inspector records a reuse finding explained or confirmed; back to the
    declaration's scans, or that page again with the form's errors beside its fields."""
    scan = get_scoped_or_404(
        Scan.objects.select_related("declaration__origin", "declaration__destination"), request.user, pk=pk
    )
    declaration = scan.declaration
    if not reuse_reviews.may_review(request.user, declaration):
        raise PermissionDenied(_("Only headquarters or the province's inspector may review a reused scan."))
    form = ReuseReviewForm(request.POST, scan_id=scan.pk)
    if form.is_valid():
        try:
            reuse_reviews.reuse_review(
                scan=scan,
                by=request.user,
                decision=form.cleaned_data["decision"],
                note=form.cleaned_data["note"],
                supersedes=form.cleaned_data["supersedes"],
            )
        except NotAllowed as exc:
            raise PermissionDenied(str(exc)) from exc
        except IllegalTransition as exc:
            # Reviewed meanwhile, or no reuse to review: the page it returns to shows how it stands.
            messages.error(request, str(exc))
            return redirect(reverse("scans:declaration", args=[declaration.pk]) + f"#scan-{scan.pk}")
        except DomainError as exc:
            named = [k for k in exc.fields if k in form.fields]
            for field in named or [None]:
                form.add_error(field, str(exc))
        else:
            messages.success(request, _("Review of the reused scan recorded."))
            return redirect(reverse("scans:declaration", args=[declaration.pk]) + f"#reuse-{scan.pk}")
    upload_form, stages, closed = _upload_form(request, declaration)
    return _render_page(
        request, declaration, upload_form, stages, status=400, closed=closed, reuse_form=form, reuse_scan=scan.pk
    )
