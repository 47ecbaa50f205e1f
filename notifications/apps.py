from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from core import partitions
        from core.models import ExportJob
        from core.signals import export_downloaded, export_finished
        from core.templatetags.evidence import file_name
        from core.text import file_name_text

        from . import services
        from .messages import register_identifier

        register_identifier("file", file_name, file_name_text)  # an export's file, in its «ready» notice

        export_finished.connect(services.on_export_finished, sender=ExportJob, dispatch_uid="notifications.export")
        export_downloaded.connect(
            services.on_export_downloaded, sender=ExportJob, dispatch_uid="notifications.export_downloaded"
        )

        # Not a record of an operation: its archived months need not stay in the database.
        partitions.register("notifications_notification", "created_at", records=False)
