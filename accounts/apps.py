from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Organisation and users")

    def ready(self) -> None:
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
