from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from core import audit, models

        audit.connect()
        auditlog.register(models.Holiday)  # headquarters edits it: who moved which holiday
