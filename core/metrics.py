"""Prometheus metrics: what the app counts as it works, and what ``/metrics`` computes at each scrape.

Counted as it happens (prometheus_client): requests by view, method and status and their latency by
view (``core.request_context.RequestIdMiddleware``); each task's run time and failures by task and
queue (Celery's task signals); plate reads ingested and matched (``anpr``); comparisons by verdict
(``scans``). Computed at each scrape, by the callables apps add to ``scrape_collectors`` in their
``AppConfig.ready()`` (so ``core`` names no app): queue lengths, the monitoring signals, silent
cameras, the monthly return's lag, the parts ``/readyz`` checks, free disk.

Several processes (gunicorn workers, a worker's pool) keep their counts in files under
``PROMETHEUS_MULTIPROC_DIR`` when it is set (prometheus_client's multiprocess mode); a scrape of
any web process then reads them all. One directory per service and container (web, worker): the
file names are process ids, which the processes of another container reuse. A Celery worker serves
its own counts on ``WORKER_METRICS_PORT`` (``serve_worker_metrics``). docs/operations.md says
what to watch.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path

from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector

log = logging.getLogger(__name__)
if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    # The counters below open their files there at once. Emptying it belongs to the service's start:
    # gunicorn's on_starting (gunicorn.conf.py); a tmpfs per container for a Celery worker, whose
    # Django is set up (and these files opened) before any Celery start-up signal.
    os.makedirs(os.environ["PROMETHEUS_MULTIPROC_DIR"], exist_ok=True)
disable_created_metrics()  # no "_created" series beside each counter: nothing here alerts on them

# The shared queue names (docs/operations.md); any other queue the Celery app declares is added.
QUEUES = ("recognition", "comparison", "reports", "default")

REQUESTS = Counter(
    "transit_http_requests", "HTTP requests answered, by view, method and status.", ["view", "method", "status"]
)
REQUEST_SECONDS = Histogram(
    "transit_http_request_duration_seconds",
    "Time to answer a request, by view (URL name).",
    ["view"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)
TASK_SECONDS = Histogram(
    "transit_task_duration_seconds",
    "Run time of a Celery task, by task and queue (failed runs too).",
    ["task", "queue"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600),
)
TASK_FAILURES = Counter("transit_task_failures", "Celery task runs that failed, by task and queue.", ["task", "queue"])
PLATE_READS_INGESTED = Counter("transit_plate_reads_ingested", "Plate reads stored (re-sent duplicates not counted).")
PLATE_READS_MATCHED = Counter("transit_plate_reads_matched", "Plate reads matched to a vehicle on an open declaration.")
COMPARISONS = Counter("transit_scan_comparisons", "Scan comparisons finished, by verdict.", ["verdict"])


def observe_request(*, view: str, method: str, status: int, seconds: float) -> None:
    REQUESTS.labels(view, method, str(status)).inc()
    REQUEST_SECONDS.labels(view).observe(seconds)


def observe_task(*, task: str, queue: str, seconds: float, state: str) -> None:
    TASK_SECONDS.labels(task, queue).observe(seconds)
    if state == "FAILURE":
        TASK_FAILURES.labels(task, queue).inc()


# --- computed at each scrape --------------------------------------------------------------------

ScrapeCollector = Callable[[], Iterable[Metric]]
scrape_collectors: list[ScrapeCollector] = []


def register_scrape(collector: ScrapeCollector) -> ScrapeCollector:
    """Add a callable that yields metric families at each scrape (once: a second add is ignored)."""
    if collector not in scrape_collectors:
        scrape_collectors.append(collector)
    return collector


def gauge(name: str, documentation: str, labels: Iterable[str] = ()) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, labels=list(labels))


class _AtScrape:
    """Runs every scrape collector; one that fails is logged and named, the others still answer."""

    def collect(self) -> Iterable[Metric]:
        failed = gauge(
            "transit_metrics_collector_failed", "1 when a metrics collector failed at this scrape.", ["collector"]
        )
        for collector in list(scrape_collectors):
            try:
                families = list(collector())
            except Exception:
                log.exception("metrics collector %s failed", collector.__qualname__)
                failed.add_metric([collector.__qualname__], 1)
                continue
            yield from families
        yield failed


_AT_SCRAPE = CollectorRegistry(auto_describe=False)
_AT_SCRAPE.register(_AtScrape())  # type: ignore[arg-type]


def multiprocess_dir() -> str:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")


def _counted() -> bytes:
    if multiprocess_dir():
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest(REGISTRY)


def exposition() -> bytes:
    """The text of a scrape: the counts, then what is computed now."""
    return _counted() + generate_latest(_AT_SCRAPE)


# --- core's own scrape collectors ---------------------------------------------------------------


def queue_names() -> list[str]:
    from celery import current_app

    declared = [q.name for q in (current_app.conf.task_queues or [])]
    return list(dict.fromkeys([*QUEUES, *declared]))


def queue_lengths() -> Iterable[Metric]:
    """Messages waiting in each queue (Redis: LLEN of the queue's lists, one per priority step).
    Nothing where tasks run in the caller."""
    from celery import current_app

    family = gauge("transit_queue_length", "Messages waiting in a Celery queue.", ["queue"])
    if current_app.conf.task_always_eager:
        return [family]
    with current_app.connection_for_read() as conn:
        channel = conn.default_channel
        for name in queue_names():
            # kombu's size of a queue: for Redis the LLEN of each priority's list, summed.
            family.add_metric([name], channel._size(name))
    return [family]


def components() -> Iterable[Metric]:
    """What /readyz says, for alerting on it from the same scrape."""
    from core.health import run_checks

    up = gauge("transit_component_up", "1 when the part answered its /readyz check at this scrape.", ["component"])
    seconds = gauge("transit_component_check_seconds", "Time the part's /readyz check took.", ["component"])
    for name, check in run_checks().items():
        up.add_metric([name], 1 if check.ok else 0)
        seconds.add_metric([name], check.ms / 1000)
    return [up, seconds]


def _existing(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def disk() -> Iterable[Metric]:
    """Free space where this process writes: var/ (archives, broker files, caches) and the media
    root when media is kept on disk."""
    from django.conf import settings
    from django.core.files.storage import FileSystemStorage, default_storage

    paths = {"var": Path(settings.BASE_DIR) / "var"}
    if isinstance(default_storage, FileSystemStorage):
        paths["media"] = Path(default_storage.location)
    free = gauge("transit_disk_free_bytes", "Free bytes on the filesystem of the path.", ["path"])
    ratio = gauge("transit_disk_free_ratio", "Share of the filesystem of the path that is free.", ["path"])
    for name, path in paths.items():
        usage = shutil.disk_usage(_existing(path))
        free.add_metric([name], usage.free)
        ratio.add_metric([name], usage.free / usage.total if usage.total else 0)
    return [free, ratio]


def outbox_age() -> Iterable[Metric]:
    """Age of the oldest job still waiting in the outbox (0: none), where the project has one
    (``core.OutboxJob``: its ``pending()`` if the manager has one, else the jobs without a done
    time); without an outbox the family is declared with no sample."""
    from django.apps import apps
    from django.core.exceptions import FieldDoesNotExist
    from django.db.models import Min
    from django.utils import timezone

    family = gauge("transit_outbox_oldest_job_age_seconds", "Age of the oldest outbox job not done yet (0: none).")
    try:
        model = apps.get_model("core", "OutboxJob")
        model._meta.get_field("created_at")
    except (LookupError, FieldDoesNotExist):
        return [family]
    manager = model._default_manager
    waiting = manager.pending() if hasattr(manager, "pending") else manager.all()
    if not hasattr(manager, "pending"):
        for done_field in ("done_at", "sent_at", "processed_at", "finished_at"):
            try:
                model._meta.get_field(done_field)
            except FieldDoesNotExist:
                continue
            waiting = waiting.filter(**{f"{done_field}__isnull": True})
            break
    oldest = waiting.aggregate(oldest=Min("created_at"))["oldest"]
    family.add_metric([], (timezone.now() - oldest).total_seconds() if oldest else 0)
    return [family]


def register_core_collectors() -> None:
    """core's own figures at scrape (``CoreConfig.ready``)."""
    for collector in (queue_lengths, components, disk, outbox_age):
        register_scrape(collector)


# --- a Celery worker's own endpoint -------------------------------------------------------------


def serve_worker_metrics(port: int, addr: str) -> None:
    """Serve this worker's task counts (all its pool's processes) on ``addr:port`` in a thread."""
    from prometheus_client import start_http_server

    registry = REGISTRY
    if multiprocess_dir():
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
    start_http_server(port, addr=addr, registry=registry)
    log.info("worker metrics on http://%s:%s/metrics", addr, port)
