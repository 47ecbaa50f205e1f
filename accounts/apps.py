from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    default = True  # this module also holds the admin's config below
    name = "accounts"
    verbose_name = _("Organisation and users")

    def ready(self) -> None:
        from . import signals

        signals.connect()
        from auditlog.registry import auditlog
        from django.contrib.auth.models import Group

        from . import models

        auditlog.register(models.Province)
        auditlog.register(models.CustomsOffice)
        # Who may do what: role, scope, activity, staff and superuser flags, groups and permissions.
        # Not the password hash, nor last_login (every login has its own entry).
        auditlog.register(
            models.User,
            include_fields=[
                "username",
                "first_name",
                "last_name",
                "email",
                "title",
                "language",
                "role",
                "office",
                "province",
                "is_active",
                "is_staff",
                "is_superuser",
            ],
            m2m_fields={"groups", "user_permissions"},
        )
        auditlog.register(Group, m2m_fields={"permissions"})
        # Issued, rotated, revoked: who did it is recorded; a use is not a change (last_used_* excluded).
        auditlog.register(models.ApiToken, exclude_fields=["key_hash", "last_used_at", "last_used_ip"])


class StaffAdminConfig(admin_apps.AdminConfig):
    """``django.contrib.admin`` with ``accounts.admin_site.StaffAdminSite`` as ``admin.site``: the
    admin is for headquarters and IT only (named in INSTALLED_APPS instead of django.contrib.admin)."""

    default = False  # not accounts' own config: that is AccountsConfig
    default_site = "accounts.admin_site.StaffAdminSite"
