"""The declaration page's review of an «arrival without plate read» (``arrival_reads``): its history and
form beside the flag, and the form's post: scoped fetch, rights, form, one service call, redirect."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.scoping import get_scoped_or_404
from core.errors import DomainError, IllegalTransition, NotAllowed, http_status

from . import arrival_reads
from .forms import ArrivalReadReviewForm
from .models import ArrivalConfirmation, TransitDeclaration
from .monitoring import arrival_unread


def page_context(user, declaration: TransitDeclaration, bound: ArrivalReadReviewForm | None = None) -> dict:
    """The section's context: the reviews (oldest first, the one that counts marked), whether the arrival is
    still one without a plate read, and the form for those who may record one (``bound``: the form just
    posted, with its errors). Needs ``origin`` and ``destination``; a query for an arrival at an office with a
    camera (its reviews stay shown once a read came later)."""
    unread = arrival_unread(declaration)
    arrived_at_camera = declaration.arrived_at is not None and declaration.destination.has_anpr
    reviews = arrival_reads.history(declaration) if arrived_at_camera else []
    if not unread and not reviews:
        return {"arrival_read": None}
    current = next((r for r in reviews if r.current), None)  # type: ignore[attr-defined]
    form = None
    if unread and arrival_reads.may_review(user, declaration):
        # The first review starts from what the arrival's confirmer said of why the gate did not see the truck
        # (the arrival form asked it): the note prefilled, to be checked and completed, not recorded for them.
        # The reason is a choice from the review's list the free answer does not make.
        said = "" if reviews else _unseen_reason(declaration)
        form = bound or ArrivalReadReviewForm(
            outages=arrival_reads.outages(declaration),
            supersedes=current.pk if current else None,
            initial={"note": said} if said else None,
        )
    # Those without the form are told what the confirmer said at the arrival, not that nothing was said.
    said = "" if reviews or form is not None or not unread else _unseen_reason(declaration)
    return {"arrival_read": {"unread": unread, "reviews": reviews, "current": current, "form": form, "said": said}}


def _unseen_reason(declaration: TransitDeclaration) -> str:
    """The arrival's «why it was not seen at the gate», "" when none was given (runs a query)."""
    return (
        ArrivalConfirmation.objects.filter(declaration=declaration)
        .order_by("-pk")
        .values_list("unseen_reason", flat=True)
        .first()
        or ""
    )


@login_required
@require_POST
def arrival_read_review(request, pk: int):
    """The destination office explains the arrival without plate read (or refers it to the inspectors), the
    province's inspector refers an explanation he doubts; back to the declaration, or its page again with the
    form's errors beside its fields."""
    from .views import declaration_detail

    declaration = get_scoped_or_404(
        TransitDeclaration.objects.select_related("origin", "destination"), request.user, pk=pk
    )
    supersedes = request.POST.get(ArrivalReadReviewForm.PREFIX + "-supersedes")
    try:
        arrival_reads.require_review(request.user, declaration, supersedes=supersedes)
    except NotAllowed as exc:
        raise PermissionDenied(str(exc)) from exc
    form = ArrivalReadReviewForm(request.POST, outages=arrival_reads.outages(declaration))
    if not form.is_valid():
        return declaration_detail(request, pk, arrival_read_form=form, status=400)
    try:
        arrival_reads.arrival_read_review(
            declaration=declaration,
            by=request.user,
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
            supersedes=form.cleaned_data["supersedes"],
            outage=form.cleaned_data.get("outage"),  # None: no outage was known to offer
        )
    except NotAllowed as exc:
        raise PermissionDenied(str(exc)) from exc
    except IllegalTransition as exc:
        # Reviewed or read meanwhile: the page it returns to shows how it stands.
        messages.error(request, str(exc))
        return redirect(reverse("declarations:detail", args=[pk]) + "#arrival-read")
    except DomainError as exc:
        named = [k for k in exc.fields if k in form.fields]
        for field in named or [None]:
            form.add_error(field, str(exc))
        return declaration_detail(request, pk, arrival_read_form=form, status=http_status(exc))
    messages.success(request, _("Review of the arrival without plate read recorded."))
    return redirect(reverse("declarations:detail", args=[pk]) + "#arrival-read")
