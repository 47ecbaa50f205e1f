"""gunicorn settings (read from the working directory by the Dockerfile's and compose's command).

One worker per core by default: the pages are CPU-bound (template rendering), and on the
2-core benchmark machine 4 workers made requests wait for each other and for PostgreSQL
(detail page SQL p95 26 ms with 4 workers, 7.5 ms with 2; docs/benchmarks.md).
``WEB_CONCURRENCY`` overrides it, e.g. when PostgreSQL runs on its own machine.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY") or os.cpu_count() or 2)
timeout = 60
# The app writes one JSON line per request itself (LOG_FORMAT=json, core/request_context.py): the
# access log would say it twice. Plain text keeps gunicorn's.
accesslog = None if os.environ.get("LOG_FORMAT", "json") == "json" and os.environ.get("SECRET_KEY") else "-"


def on_starting(server):
    """The workers count requests in files under PROMETHEUS_MULTIPROC_DIR (core/metrics.py): empty
    it before they start, or the counts of the previous run would be added again."""
    from pathlib import Path

    path = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if path:
        Path(path).mkdir(parents=True, exist_ok=True)
        for entry in Path(path).glob("*.db"):
            entry.unlink(missing_ok=True)


def child_exit(server, worker):
    """A worker that ended leaves its counts to the others' (prometheus_client multiprocess mode)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


def post_worker_init(worker):
    """Move everything loaded at start-up (Django, the URL conf, the models) out of the
    collector's reach: a full collection then walks only what requests created, and its pauses
    stop showing in the slowest requests of a busy worker."""
    import gc

    gc.collect()
    gc.freeze()
