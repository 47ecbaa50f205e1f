"""Pages of the IT office about accounts: login lock-outs and their release."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.forms import PageForm

from . import services


def _isolate(text: str) -> str:
    """An identifier kept in its own direction inside Persian text (Unicode first-strong isolate)."""
    return f"\u2068{text}\u2069"


class ReleaseForm(PageForm):
    username = forms.CharField(max_length=255)
    ip_address = forms.GenericIPAddressField(required=False)


@login_required
def lockouts(request):
    """The accounts locked out now (username and address), each with a release button."""
    if not services.may_release_lockouts(request.user):
        raise PermissionDenied(_("Only the IT office and the system administrator release login lock-outs."))
    if request.method == "POST":
        form = ReleaseForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("The lock to release was not understood; choose it from the list."))
        else:
            username, address = form.cleaned_data["username"], form.cleaned_data["ip_address"] or None
            if services.lockout_release(username=username, ip_address=address, by=request.user):
                messages.success(
                    request,
                    _("%(user)s may log in again from %(ip)s.")
                    % {"user": _isolate(username), "ip": _isolate(address or "—")},
                )
            else:
                messages.info(request, _("There was no lock to release (it may have expired)."))
        return redirect("accounts:lockouts")
    context = {
        "lockouts": services.lockouts_active(),
        "releases": services.releases_recent(),
        "lockout_limit": settings.AXES_FAILURE_LIMIT,
    }
    return render(request, "accounts/lockouts.html", context)
