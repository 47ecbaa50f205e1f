"""Pages of inspection follow-up actions: the list of actions (open first, overdue marked) for the
inspector, headquarters and the responsible office, and marking one done with a note."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.scoping import get_scoped_or_404
from core.errors import DomainError, http_status
from core.forms import ListFilterForm, PageForm, apply_error, flag_field, read_filters
from core.paging import numbered_page
from core.redirects import local_next

from . import services
from .models import InspectionAction

STATES = ("open", "done", "all")


class ActionFilterForm(ListFilterForm):
    """``?state=open|done|all`` (open when not given) and ``?overdue=1``."""

    state = forms.ChoiceField(
        label=gettext_lazy("state"), required=False, choices=[("", "—"), *((s, s) for s in STATES)]
    )
    overdue = flag_field(gettext_lazy("overdue"))


def actions_filter(user, state: str, overdue: bool):
    """The actions in the user's scope by the list's filters (page and API alike), due soonest first."""
    actions = InspectionAction.objects
    if overdue:
        qs = actions.overdue(timezone.localdate())
    elif state == "open":
        qs = actions.open()
    elif state == "done":
        qs = actions.filter(done_at__isnull=False)
    else:
        qs = actions.all()
    return (
        qs.for_user(user)
        .select_related("inspection__office", "responsible_office", "done_by", "created_by")
        .order_by("due_on", "pk")
    )


@login_required
def action_list(request):
    form, data = read_filters(ActionFilterForm, request)
    today = timezone.localdate()
    counts = {
        "open": InspectionAction.objects.open().for_user(request.user).count(),
        "overdue": InspectionAction.objects.overdue(today).for_user(request.user).count(),
    }
    context = {"counts": counts, "filter_form": form, "next": request.get_full_path()}
    if data is None:  # a filter that is not valid: said beside the tabs, no actions (never all of them)
        return render(request, "reports/action_list.html", {**context, "rows": [], "total": 0}, status=400)
    state, overdue = data["state"] or "open", data["overdue"]
    pages = numbered_page(request, actions_filter(request.user, state, overdue))
    rows = [
        {
            "action": a,
            "overdue": a.is_overdue(today),
            "may_complete": a.done_at is None and services.may_complete_action(request.user, a),
        }
        for a in pages.rows
    ]
    return render(
        request,
        "reports/action_list.html",
        {
            **context,
            "rows": rows,
            "state": state,
            "overdue": overdue,
            "pages": pages,
            "total": pages.count,
        },
    )


class DoneForm(PageForm):
    # Not required here: the service says what is missing (one message, page and API alike).
    note = forms.CharField(
        label=gettext_lazy("what was done"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


@login_required
def action_done(request, pk: int):
    """Mark a follow-up action done with a note; back to where it was asked from."""
    action = get_scoped_or_404(
        InspectionAction.objects.select_related("inspection__office", "responsible_office"), request.user, pk=pk
    )
    if not services.may_complete_action(request.user, action):
        raise PermissionDenied(str(services.WHO_COMPLETES_ACTIONS))
    form = DoneForm(request.POST or None)
    back = local_next(request, request.POST.get("next") or request.GET.get("next"))
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.inspection_action_done(action=action, by=request.user, note=form.cleaned_data["note"])
        except DomainError as exc:
            apply_error(form, exc)
            status = http_status(exc)
        else:
            messages.success(request, _("The action is marked done."))
            return redirect(back or "reports:actions")
    return render(request, "reports/action_done.html", {"action": action, "form": form, "next": back}, status=status)
