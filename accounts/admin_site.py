"""The Django admin is for headquarters and the IT office (and superusers) only.

Everybody else — inspectors, office staff, integration clients — gets no admin at all: not the
index, not a login form of its own. The admin's login is the app's ``/login/`` (one login path,
with its lock-out and its refusal of machine accounts); a signed-in user the admin is not for
gets 404 there, so the admin does not even confirm it exists.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.urls import reverse


def may_use_admin(user) -> bool:
    """Active staff who are headquarters, IT or superusers; never a machine account."""
    from .models import Role  # this module is imported with the app registry, before models load

    if not (getattr(user, "is_authenticated", False) and user.is_active and user.is_staff):
        return False
    if getattr(user, "is_machine", False):
        return False
    return bool(user.is_superuser or user.role in (Role.HQ, Role.IT))


class StaffAdminSite(admin.AdminSite):
    def has_permission(self, request):
        return may_use_admin(request.user)

    def login(self, request, extra_context=None):
        if request.user.is_authenticated and not self.has_permission(request):
            raise Http404
        return redirect_to_login(request.GET.get("next") or reverse("admin:index"), settings.LOGIN_URL)
