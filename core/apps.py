from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Audit trail and system records")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from core import api, audit, metrics, models, partitions, request_context

        audit.connect()
        api.use_readable_drf_messages()  # before a serializer's fields are made (their messages then)
        request_context.connect_celery_signals()  # the request id into tasks, task metrics and log lines
        metrics.register_core_collectors()  # queues, /readyz's parts, disk, the outbox at each /metrics scrape
        auditlog.register(models.Holiday)  # headquarters edits it: who moved which holiday
        # The audit trail is a record, and its chain is walked through archived months too: their
        # detached tables stay in the database (archive schema), besides the file.
        partitions.register("auditlog_logentry", "timestamp", records=True, keep_detached=True)
