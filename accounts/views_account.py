"""The user's own account: last logins, two-factor status, open sessions, password change."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import i18n
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from core import text
from core.forms import PageForm, PageFormMixin

from . import logins, services, two_factor
from .models import LoginRecord


@require_http_methods(["POST"])
def set_language(request):
    """The pages' language switch (Django's ``set_language``); a signed-in person's choice is also kept on
    their account, so that their e-mails are written in it."""
    response = i18n.set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        services.user_language_set(user=request.user, language=language)
    return response


@never_cache
@login_required
def account(request):
    """Who I am, whether my login has a second factor, and my last logins (successful and failed)."""
    user = request.user
    context = {
        "enrolled": two_factor.has_device(user),
        "required": two_factor.required_for(user),
        "codes_left": two_factor.recovery_codes_left(user),
        "logins": logins.recent_logins(user),
        "open_sessions": logins.open_sessions(user).count(),
    }
    return render(request, "accounts/account.html", context)


class EndSessionForm(PageForm):
    session = forms.IntegerField(required=False)  # empty: every other session


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def sessions(request):
    """My open sessions (browser, address, since, last seen); end one or all the others."""
    current = request.session.get(logins.RECORD)
    if request.method == "POST":
        form = EndSessionForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("The session to end was not understood; choose it from the list."))
        else:
            ended = logins.sessions_end(user=request.user, keep=current, only=form.cleaned_data["session"])
            if ended:
                messages.success(request, _("Ended sessions: %(n)s.") % {"n": text.digits(ended)})
            else:
                messages.info(request, _("There was no other session to end."))
        return redirect("accounts:sessions")
    rows = list(logins.open_sessions(request.user))
    return render(request, "accounts/sessions.html", {"sessions": rows, "current": current})


class PasswordForm(PageFormMixin, PasswordChangeForm):
    """Django's form (old password, new twice, the validators of AUTH_PASSWORD_VALIDATORS)."""


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def password_change(request):
    """Change my password: this session stays, every other session of mine ends."""
    form = PasswordForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        update_session_auth_hash(request, user)  # this session stays, under a new key
        logins.rekey(request)
        logins.sessions_end(
            user=user, keep=request.session.get(logins.RECORD), reason=LoginRecord.Ended.PASSWORD_CHANGED
        )
        messages.success(request, _("Your password was changed; your other sessions were ended."))
        return redirect("accounts:account")
    return render(request, "accounts/password_change.html", {"form": form}, status=400 if form.errors else 200)
