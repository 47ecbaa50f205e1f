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
accesslog = "-"
