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
from core.forms import apply_error

from . import permits
from .forms import PermitExitForm, TrafficPermitForm
from .models import Status, TrafficPermit, TransitDeclaration

PAGE_SIZE = 200


@login_required
def permit_list(request):
    state = request.GET.get("validity", "")
    qs = permits.permits_for(request.user)
    if state in permits.VALIDITY_CHOICES:
        qs = permits.with_validity(qs, state)
    else:
        state = ""
    rows = list(qs.order_by("-issued_at", "-id")[:PAGE_SIZE])
    now = timezone.now()
    context = {
        "rows": [(p, permits.validity(p, now)) for p in rows],
        "state": state,
        "states": [
            ("", _("All")),
            ("valid", _("Valid")),
            ("expiring", _("Expiring within a day")),
            ("expired", _("Expired, truck still inside")),
            ("exited", _("Exited")),
        ],
        "page_size": PAGE_SIZE,
    }
    return render(request, "declarations/permits.html", context)


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
                    permit_no=d["permit_no"],
                    entry_office=d["entry_office"],
                    exit_office=d["exit_office"],
                    allowed_hours=d["allowed_hours"],
                    issued_at=d["issued_at"],
                    route=d["route"] or declaration.route,
                    by=request.user,
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
    return {
        "permit_rows": [
            (p, permits.validity(p, now), not p.exited_at and permits.may_record_exit(user, p)) for p in rows
        ],
        "may_record_permit": may_record,
        "show_permits": True,
    }
