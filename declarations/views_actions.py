"""The declaration page's action forms: scoped fetch, form, one service call, redirect.

The user's right is checked first: without it, the 403 page, whatever was sent. The service then
checks the move; its domain error becomes a form error on the re-rendered page with 409 (illegal
move), 403 (not allowed) or 400.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.scoping import get_scoped_or_404
from core.errors import DomainError, NotAllowed, field_messages, http_status

from . import detection, forms, services
from .models import TransitDeclaration
from .views import declaration_detail


def run_action(
    action: str, declaration: TransitDeclaration, user, data: dict, *, source: str | None = None
) -> TransitDeclaration:
    """Call the service behind one action with validated form/serializer data (``source``: where the
    change came from when it is not a person at a page, e.g. the API)."""
    at = data.get("at")
    src = {"source": source} if source else {}
    if action == "depart":
        result = services.declaration_depart(declaration=declaration, by=user, at=at, **src)
    elif action == "confirm_arrival":
        kwargs = {**src, **data}  # the form's "from outside the system" is its own source
        result = services.declaration_confirm_arrival(declaration=declaration, by=user, **kwargs)
    elif action == "settle":
        result = services.declaration_settle(
            declaration=declaration, by=user, at=at, remarks=data.get("remarks", ""), **src
        )
    elif action == "record_unsettled":
        # A proposal accepted as it was offered is kept as the system's message (read in each reader's language).
        note = detection.proposal_note(declaration, data["reason"], data.get("note", ""))
        result = services.declaration_record_unsettled(
            declaration=declaration, by=user, reason=data["reason"], note=note, at=at, **src
        )
    elif action == "cancel":
        result = services.declaration_cancel(declaration=declaration, by=user, reason=data["reason"], at=at, **src)
    elif action == "close":
        result = services.declaration_close(declaration=declaration, by=user, remarks=data["remarks"], at=at, **src)
    elif action == "extend_deadline":
        result = services.declaration_extend_deadline(
            declaration=declaration, by=user, new_deadline=data["new_deadline"], reason=data["reason"]
        )
    else:  # pragma: no cover - URLs only route the actions above
        raise Http404
    return result


@login_required
@require_POST
def declaration_action(request, pk: int, action: str):
    if action not in forms.ACTION_FORMS:
        raise Http404
    declaration = get_scoped_or_404(
        TransitDeclaration.objects.select_related("origin", "destination"), request.user, pk=pk
    )
    try:  # the right before the form: a person who may not is shown the 403 page, not asked to correct fields
        services.require_may(request.user, declaration, action)
    except NotAllowed as exc:
        raise PermissionDenied(str(exc)) from exc
    form = forms.ACTION_FORMS[action](request.POST, request.FILES, prefix=action)
    if not form.is_valid():
        if isinstance(form, forms.ConfirmArrivalForm):  # the service's checks too: every problem shown at once
            _add_beside(
                form, services.confirm_arrival_problems(declaration=declaration, by=request.user, **form.check_kwargs())
            )
        return declaration_detail(request, pk, forms_override={action: form}, status=400)
    data = form.service_kwargs() if hasattr(form, "service_kwargs") else form.cleaned_data
    try:
        run_action(action, declaration, request.user, data)
    except DomainError as exc:
        _add_beside(form, exc)
        return declaration_detail(request, pk, forms_override={action: form}, status=http_status(exc))
    messages.success(request, _("Done: %(action)s.") % {"action": forms.ACTION_LABELS[action]})
    return redirect("declarations:detail", pk=pk)


def _add_beside(form, exc: DomainError | None) -> None:
    """Each message once, beside the field it names (a time out of order beside the time) when the form has
    it and has no error there yet, else above the form."""
    if exc is None:
        return
    own = field_messages(exc)
    beside = [name for name in own if name in form.fields]
    for name in beside:
        if name not in form.errors:
            for message in own[name]:
                form.add_error(name, message)
    if not beside:
        form.add_error(None, str(exc))
