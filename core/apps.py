from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from core import audit, models, partitions

        audit.connect()
        auditlog.register(models.Holiday)  # headquarters edits it: who moved which holiday
        # The audit trail is a record, and its chain is walked through archived months too: their
        # detached tables stay in the database (archive schema), besides the file.
        partitions.register("auditlog_logentry", "timestamp", records=True, keep_detached=True)
