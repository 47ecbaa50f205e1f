"""The project's WSGI app with the SQL time of each request in a response header (bench only).

``bench/dashboard.py`` serves this through gunicorn: every query of a request runs through a
``connection.execute_wrapper``-style hook that adds up its time, and the total goes out as
``X-Bench-SQL-ms`` (Django has run all of a page's queries by the time it starts the response).
It also serves the benchmark's ``/api/hello/`` baseline (``bench/urls.py``), which the app does not.
"""

from __future__ import annotations

import os
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "transit_monitor.settings")

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.db import connection

_django = get_wsgi_application()
settings.ROOT_URLCONF = "bench.urls"  # the project's URLs and the hello baseline
_total = {"ms": 0.0}


def _timer(execute, sql, params, many, context):
    t0 = time.perf_counter()
    try:
        return execute(sql, params, many, context)
    finally:
        _total["ms"] += (time.perf_counter() - t0) * 1000


def application(environ, start_response):
    _total["ms"] = 0.0  # sync workers: one request at a time per process

    def timed_start_response(status, headers, exc_info=None):
        return start_response(status, [*headers, ("X-Bench-SQL-ms", f"{_total['ms']:.3f}")], exc_info)

    with connection.execute_wrapper(_timer):
        return _django(environ, timed_start_response)
