"""The second factor: enrol an authenticator (QR code and key), enter its code, recovery codes."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME, logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from . import two_factor
from .forms import CodeForm


def _next(request) -> str:
    """Where to go after the second factor: the page first asked for, if it is ours."""
    target = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME) or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def verify(request):
    """After the password: the code from the authenticator, or a recovery code."""
    user = request.user
    if user.is_verified():
        return redirect(_next(request))
    if not two_factor.has_device(user):
        if two_factor.required_for(user):
            return redirect(f"{reverse('accounts:two-factor-enrol')}?{request.GET.urlencode()}")
        request.session.pop(two_factor.HAS_DEVICE, None)  # the authenticator was removed meanwhile
        return redirect(_next(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = two_factor.verify(request, form.cleaned_data["code"])
        if outcome.ok:
            if two_factor.recovery_codes_low(user):
                messages.warning(request, _("Few recovery codes are left: make new ones on your account page."))
            return redirect(_next(request))
        if getattr(request, "axes_locked_out", False):  # this wrong code was the last one allowed
            logout(request)
            return render(request, "accounts/two_factor_verify.html", {"form": form}, status=429)
        form.add_error("code", outcome.error)
    status = 400 if form.errors else 200
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": _next(request)}, status=status)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def enrol(request):
    """Enrol an authenticator app: scan the QR code (or type the key), confirm with a code.

    Only for a user with no authenticator: someone with a password alone must never replace one."""
    user = request.user
    if two_factor.has_device(user):
        if user.is_verified():
            messages.info(request, _("Two-factor login is already on for your account."))
            return redirect("accounts:account")
        return redirect(f"{reverse('accounts:two-factor')}?{request.GET.urlencode()}")
    device = two_factor.pending_device(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = two_factor.confirm_enrolment(request, form.cleaned_data["code"])
        if outcome.ok:
            messages.success(request, _("Two-factor login is on. Keep these recovery codes somewhere safe."))
            return redirect(f"{reverse('accounts:recovery-codes')}?{urlencode({REDIRECT_FIELD_NAME: _next(request)})}")
        form.add_error("code", outcome.error)
    context = {
        "form": form,
        "qr_svg": two_factor.qr_svg(device),
        "secret": two_factor.secret_base32(device),
        "required": two_factor.required_for(user),
        "next": _next(request),
    }
    return render(request, "accounts/two_factor_enrol.html", context, status=400 if form.errors else 200)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def recovery_codes(request):
    """The recovery codes just made (shown once), or a button to replace them all."""
    user = request.user
    if not two_factor.has_device(user):
        return redirect("accounts:two-factor-enrol")
    if not user.is_verified():  # codes are a way in: only a session that passed the second factor sees them
        return redirect(f"{reverse('accounts:two-factor')}?{urlencode({REDIRECT_FIELD_NAME: request.path})}")
    if request.method == "POST":
        request.session[two_factor.RECOVERY_SHOWN] = two_factor.new_recovery_codes(user)
        messages.success(request, _("New recovery codes were made; the old ones no longer work."))
        return redirect("accounts:recovery-codes")
    codes = request.session.pop(two_factor.RECOVERY_SHOWN, None)
    context = {"codes": codes, "left": two_factor.recovery_codes_left(user), "next": _next(request)}
    return render(request, "accounts/recovery_codes.html", context)
