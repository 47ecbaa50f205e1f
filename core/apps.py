from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from core import audit, metrics, models, request_context

        audit.connect()
        request_context.connect_celery_signals()  # the request id into tasks, task metrics and log lines
        metrics.register_core_collectors()  # queues, /readyz's parts, disk, the outbox at each /metrics scrape
        auditlog.register(models.Holiday)  # headquarters edits it: who moved which holiday
