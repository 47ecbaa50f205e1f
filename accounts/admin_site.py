"""The Django admin is for headquarters and the IT office (and superusers) only.

Everybody else — inspectors, office staff, integration clients — gets no admin at all: not the
index, not a login form of its own. The admin's login is the app's ``/login/`` (one login path,
with its lock-out and its refusal of machine accounts). A signed-in person the admin is not for
gets the app's 403 page at any admin address, saying whose the admin is and who keeps access (the
system administrator): not a redirect to the admin's login, which they could only answer with a
«Not found».
"""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

# Django admin's own msgid (its index's sidebar), said here so that ``makemessages`` keeps it in the project's
# catalogue, where its Persian is «فعالیت‌های اخیر»: Django's «فعالیتهای اخیر» lacks the zero-width non-joiner.
RECENT_ACTIONS = gettext_noop("Recent actions")
# Django admin's bulk-delete action, kept here likewise: its Persian «حذف %(verbose_name_plural)s های انتخاب شده»
# appends «های» to a plural that is already plural («تعطیلات رسمی های»); ours reads «حذف تعطیلات رسمی انتخاب‌شده».
DELETE_SELECTED = gettext_noop("Delete selected %(verbose_name_plural)s")


def may_use_admin(user) -> bool:
    """Active staff who are headquarters, IT or superusers; never a machine account."""
    from .models import Role  # this module is imported with the app registry, before models load

    if not (getattr(user, "is_authenticated", False) and user.is_active and user.is_staff):
        return False
    if getattr(user, "is_machine", False):
        return False
    return bool(user.is_superuser or user.role in (Role.HQ, Role.IT))


def _refuse_if_signed_in(site: admin.AdminSite, request) -> None:
    if request.user.is_authenticated and not site.has_permission(request):
        raise PermissionDenied(_("The admin is for headquarters and the IT office."))


class StaffAdminSite(admin.AdminSite):
    # The app's name in the reader's language, not Django's «Django administration» / «مدیریت وب‌گاه».
    site_header = gettext_lazy("Transit Monitor")
    site_title = gettext_lazy("Transit Monitor")
    index_title = gettext_lazy("Transit Monitor administration")

    def has_permission(self, request):
        return may_use_admin(request.user)

    def admin_view(self, view, cacheable=False):
        checked = super().admin_view(view, cacheable)

        @wraps(view)
        def inner(request, *args, **kwargs):
            _refuse_if_signed_in(self, request)
            return checked(request, *args, **kwargs)

        return inner

    def login(self, request, extra_context=None):
        _refuse_if_signed_in(self, request)
        return redirect_to_login(request.GET.get("next") or reverse("admin:index"), settings.LOGIN_URL)
