from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from core import partitions

        # Not a record of an operation: its archived months need not stay in the database.
        partitions.register("notifications_notification", "created_at", records=False)
