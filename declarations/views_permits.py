"""Traffic permits of foreign trucks: the list by validity, recording a permit at entry, its exit.

Scoped fetch, form, one service call (``permits``), redirect; a refused input is shown beside its
field with 400, a refused role with 403, a declaration outside the scope is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.scoping import get_scoped_or_404
from core.errors import DomainError, http_status
from core.forms import apply_error, read_filters
from core.paging import numbered_page

from . import permit_checks, permits, selectors
from .forms import PermitExitForm, PermitFilterForm, PermitStopForm, PermitWaiverForm, TrafficPermitForm
from .models import Status, TrafficPermit, TransitDeclaration

PERMIT_FIELDS = (
    *("permit_no", "entry_office", "exit_office", "allowed_hours", "issued_at", "route_km", "drivers"),
    *("driving_hours_per_driver", "fuel_receipt_no", "fuel_receipt_date", "fuel_receipt_amount"),
    *("has_international_licence", "has_insurance_card", "has_tax_booklet", "goods_description", "goods_weight_kg"),
)


@login_required
def permit_list(request):
    """The permits in the user's scope, the latest first, by validity (``?validity=``). A validity that is
    not one of the tabs is said beside them, with no permits (400): never every permit in place of those
    asked for."""
    form, data = read_filters(PermitFilterForm, request)
    context = {
        "states": [
            ("", _("All")),
            ("valid", _("Valid")),
            ("expiring", _("Expiring within a day")),
            ("expired", _("Expired, truck still inside")),
            ("exited", _("Exited")),
        ],
        "filter_form": form,
    }
    if data is None:
        return render(request, "declarations/permits.html", {**context, "rows": [], "state": None}, status=400)
    state = data["validity"]
    qs = permits.permits_for(request.user)
    if state:
        qs = permits.with_validity(qs, state)
    pages = numbered_page(request, qs.order_by("-issued_at", "-id"))
    now = timezone.now()
    # "Record exit" only where the user may record it (the exit page refuses the others: 403).
    context["rows"] = [(p, permits.validity(p, now), permits.may_record_exit(request.user, p)) for p in pages.rows]
    return render(request, "declarations/permits.html", {**context, "pages": pages, "state": state})


@login_required
def permit_new(request, pk: int):
    declaration = get_scoped_or_404(
        TransitDeclaration.objects.select_related("origin", "destination", "vehicle"), request.user, pk=pk
    )
    if not permits.may_record_permit(request.user, declaration):
        raise PermissionDenied(_("Only the entry office or headquarters may record this truck's traffic permit."))
    form = TrafficPermitForm(request.POST or None, declaration=declaration, prefix="permit")
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            d = form.cleaned_data
            try:
                permits.traffic_permit_record(
                    declaration=declaration,
                    route=d["route"] or declaration.route,
                    by=request.user,
                    **{name: d[name] for name in PERMIT_FIELDS},
                )
            except DomainError as exc:
                apply_error(form, exc)
                status = http_status(exc)
            else:
                messages.success(request, _("Traffic permit %(no)s recorded.") % {"no": d["permit_no"]})
                return redirect("declarations:detail", pk=pk)
    return render(request, "declarations/permit_form.html", {"declaration": declaration, "form": form}, status=status)


@login_required
def permit_exit(request, pk: int):
    visible = permits.permits_for(request.user)
    permit = visible.filter(pk=pk).first()
    if permit is None:
        raise Http404
    if not permits.may_record_exit(request.user, permit):
        raise PermissionDenied(_("Only the exit border, the destination office or headquarters may record the exit."))
    form = PermitExitForm(request.POST or None, prefix="exit")
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                permits.traffic_permit_exit(
                    permit=permit, at=form.cleaned_data["at"] or timezone.now(), by=request.user
                )
            except DomainError as exc:
                apply_error(form, exc)
                status = http_status(exc)
            else:
                messages.success(request, _("Exit of permit %(no)s recorded.") % {"no": permit.permit_no})
                if permit.declaration_id:
                    return redirect("declarations:detail", pk=permit.declaration_id)
                return redirect("declarations:permits")
    context = {"permit": permit, "validity": permits.validity(permit), "form": form}
    return render(request, "declarations/permit_exit.html", context, status=status)


@login_required
def permit_waive(request, pk: int):
    """Let a foreign truck stopped at the gate depart without a valid permit (hq, the province's inspector)."""
    declaration = get_scoped_or_404(TransitDeclaration.objects.select_related("origin", "vehicle"), request.user, pk=pk)
    if not permit_checks.may_waive(request.user, declaration):
        raise PermissionDenied(
            _("Only headquarters or the province's inspector may let a truck depart without a permit.")
        )
    form = PermitWaiverForm(request.POST or None, prefix="waiver")
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                permit_checks.permit_waive(declaration=declaration, by=request.user, reason=form.cleaned_data["reason"])
            except DomainError as exc:
                apply_error(form, exc)
                status = http_status(exc)
            else:
                messages.success(request, _("The truck may depart without a valid permit; recorded."))
                return redirect("declarations:detail", pk=pk)
    context = {
        "declaration": declaration,
        "form": form,
        "problems": permit_checks.departure_problems(declaration, timezone.now()),
    }
    return render(request, "declarations/permit_waive.html", context, status=status)


@login_required
def permit_stop(request, pk: int):
    """Record a breakdown or accident stop on a permit, with who confirmed it (Art. 12 note 3)."""
    permit = permits.permits_for(request.user).filter(pk=pk).first()
    if permit is None:
        raise Http404
    if not permit_checks.may_record_stop(request.user, permit):
        raise PermissionDenied(_("Only headquarters, the route's inspectors or its offices may record a stop."))
    form = PermitStopForm(request.POST or None, prefix="stop")
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                permit_checks.permit_stop_record(permit=permit, by=request.user, **form.cleaned_data)
            except DomainError as exc:
                apply_error(form, exc)
                status = http_status(exc)
            else:
                messages.success(request, _("Stop recorded on permit %(no)s.") % {"no": permit.permit_no})
                if permit.declaration_id:
                    return redirect("declarations:detail", pk=permit.declaration_id)
                return redirect("declarations:permits")
    return render(request, "declarations/permit_stop.html", {"permit": permit, "form": form}, status=status)


def _trip_rows(permit: TrafficPermit) -> dict:
    """What the permit section shows of the trip: its route and legs with the offices by name (as the
    declaration's route above it, ``selectors.route_names``), TIR park stays, stops, findings in words."""
    result = permit_checks.trip_of(permit)
    findings = [
        (key, permit_checks.describe(key, f)) for key, f in permit.findings.items() if key in permit_checks.EVENT_KINDS
    ]
    codes = [c for leg in result.legs for c in (leg.start.last.office_code, leg.end.first.office_code)]
    names = dict(zip(codes, selectors.route_names(codes), strict=True))
    return {
        "route_names": selectors.route_names(permit.route),
        # (leg, the office it left, the office it reached)
        "legs": [(leg, names[leg.start.last.office_code], names[leg.end.first.office_code]) for leg in result.legs],
        "stays": [v for v in result.visits if v.is_stay],
        "stops": list(permit.stops.select_related("recorded_by")),
        "findings": findings,
    }


def permit_panel(user, declaration: TransitDeclaration) -> dict:
    """The declaration page's permit section: its permits with their validity, and what the user may do."""
    if declaration.vehicle_country == "IR":
        return {}
    now = timezone.now()
    rows = list(
        TrafficPermit.objects.filter(declaration=declaration)
        .select_related("entry_office", "exit_office")
        .order_by("-issued_at")
    )
    for p in rows:
        p.declaration = declaration
    may_record = declaration.status in (Status.REGISTERED, Status.IN_TRANSIT) and permits.may_record_permit(
        user, declaration
    )
    problems = permit_checks.departure_problems(declaration, now) if declaration.status == Status.REGISTERED else []
    return {
        "permit_rows": [
            (
                p,
                permits.validity(p, now),
                not p.exited_at and permits.may_record_exit(user, p),
                _trip_rows(p),
                permit_checks.may_record_stop(user, p),
            )
            for p in rows
        ],
        "may_record_permit": may_record,
        "show_permits": True,
        "gate_problems": problems,
        "waivers": list(declaration.permit_waivers.select_related("by")),
        "may_waive": bool(problems) and permit_checks.may_waive(user, declaration),
    }
