"""Celery app. Every periodic job is declared here, once, in plain words."""

import os

from celery import Celery, bootsteps, signals
from celery.app import backends
from celery.backends.redis import RedisBackend
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "transit_monitor.settings")


class RedisResults(RedisBackend):
    """Celery's Redis result store, except that sending a task does not subscribe to its result.

    Celery subscribes (Redis pub/sub) to each task it sends, for a ``.get()`` the web side never makes.
    After a Redis restart redis-py's pub/sub re-subscribes inside its own lock and the sending request
    waited for ever (a gunicorn worker stuck; tests/core/test_redis_outage.py). ``.get()`` still works:
    it subscribes when it waits, and reads a result stored before that."""

    def on_task_call(self, producer, task_id):
        return None


# Every redis:// result store URL (CELERY_RESULT_BACKEND, REDIS_URL) gets the class above.
backends.BACKEND_ALIASES["redis"] = "transit_monitor.celery:RedisResults"

app = Celery("transit_monitor")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


class SweepOnConnect(bootsteps.StartStopStep):
    """When a worker connects to the broker (at start, and again after the broker came back), the
    jobs stored in the outbox meanwhile are published at once, not at the next beat sweep."""

    requires = {"celery.worker.consumer.connection:Connection"}

    def start(self, parent) -> None:
        import logging

        from core import jobs  # the models: Django is set up by the time a worker connects

        logging.getLogger("core.jobs").info("connected to the broker: sending what waits in the outbox")
        jobs.sweep_in_background(broker_back=True)


app.steps["consumer"].add(SweepOnConnect)


@signals.worker_ready.connect
def _serve_worker_metrics(**_kwargs) -> None:
    """The worker's task metrics on WORKER_METRICS_PORT (its pool's processes write them to
    PROMETHEUS_MULTIPROC_DIR); the web's /metrics cannot see another container's processes."""
    from django.conf import settings

    if settings.WORKER_METRICS_PORT:
        from core.metrics import serve_worker_metrics

        serve_worker_metrics(settings.WORKER_METRICS_PORT, settings.WORKER_METRICS_ADDR)


@signals.after_setup_logger.connect
@signals.after_setup_task_logger.connect
def _log_format(logger=None, **_kwargs) -> None:
    """Worker and beat lines carry the request id and the task's name, id and queue, and are JSON
    where the web's are (settings.LOG_FORMAT; core/logs.py); Celery still sets the level and stream."""
    from django.conf import settings

    from core.logs import JsonFormatter
    from core.request_context import RequestContextFilter

    for handler in getattr(logger, "handlers", []):
        handler.addFilter(RequestContextFilter())
        if settings.LOG_FORMAT == "json":
            handler.setFormatter(JsonFormatter())


beat_schedule = {
    # Every 30 seconds: publish the follow-up jobs stored while the broker was down (core.jobs).
    "outbox-sweep": {"task": "core.tasks.outbox_sweep", "schedule": 30.0},
    # Every morning: propose follow-up letters for overdue / arrived-unsettled declarations
    # and remind on letters whose reply is late.
    # (casework.tasks.followups_daily keeps the name it had in declarations.tasks.)
    "followups-daily": {"task": "declarations.tasks.followups_daily", "schedule": crontab(hour=6, minute=30)},
    # Every day just after midnight Tehran time: if today is the 1st of a Jalali month,
    # build last month's returns for every province and the nation.
    "monthly-returns": {
        "task": "reports.tasks.build_monthly_returns_if_month_start",
        "schedule": crontab(hour=0, minute=20),
    },
    # Every 15 minutes: flag cameras that went silent during working hours.
    "camera-health": {"task": "anpr.tasks.check_camera_health", "schedule": crontab(minute="*/15")},
    # Every 10 minutes: match plate reads whose matching message was lost (e.g. a broker restart).
    "anpr-match-pending": {"task": "anpr.tasks.match_pending_reads", "schedule": crontab(minute="*/10")},
    # Every hour: tell the statutory milestones of smuggling cases that have just become overdue
    # (hourly, as the hand-over clock of Art. 4 runs in hours; each is told once).
    "case-milestones": {"task": "casework.tasks.case_milestones_check", "schedule": crontab(minute=40)},
    # Every morning: tell the responsible office of each inspection follow-up action left undone past its
    # due date (once an action).
    "inspection-actions-overdue": {
        "task": "reports.tasks.inspection_actions_overdue_check",
        "schedule": crontab(hour=6, minute=45),
    },
    # Every 5 minutes: queue again the jobs a killed worker left running or a lost message left queued
    # (comparisons, previews, recognitions, imports, training runs, return builds); after
    # JOB_MAX_ATTEMPTS they are marked failed with a reason and the IT office gets a system problem.
    "sweep-stuck-jobs": {"task": "reports.tasks.sweep_stuck_jobs", "schedule": crontab(minute="*/5")},
    # Every night: make the coming months' partitions of plate reads, audit entries and notifications
    # (PostgreSQL), and archive the months past their retention.
    "partitions-daily": {"task": "core.tasks.partitions_daily", "schedule": crontab(hour=2, minute=10)},
    # Every night: drop the account pages' login records past LOGIN_RECORD_KEEP_DAYS.
    "login-records-daily": {"task": "accounts.tasks.login_records_prune", "schedule": crontab(hour=2, minute=40)},
    # Every night: remove the export files past EXPORT_KEEP_DAYS; their jobs stay, marked expired (core.exports).
    "exports-expire-daily": {"task": "core.tasks.exports_expire_daily", "schedule": crontab(hour=2, minute=50)},
}


def _run_every(spec: str) -> None:
    """``BEAT_EVERY="camera-health=5,followups-daily=60"``: beat runs those entries every N seconds
    instead of on their clock, to watch a periodic job work in a demo (and in the tests of beat)."""
    for item in filter(None, (part.strip() for part in spec.split(","))):
        name, _, seconds = item.partition("=")
        if name not in beat_schedule:
            raise ValueError(f"BEAT_EVERY: no periodic job named {name!r}; the jobs: {', '.join(beat_schedule)}")
        try:
            every = float(seconds)
        except ValueError:
            every = 0.0
        if not 0 < every < float("inf"):
            raise ValueError(f"BEAT_EVERY: {name}={seconds!r} is not a positive number of seconds")
        beat_schedule[name]["schedule"] = every


_run_every(os.environ.get("BEAT_EVERY", ""))
app.conf.beat_schedule = beat_schedule
