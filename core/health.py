"""``/healthz`` (the process answers) and ``/readyz`` (it can reach what it needs), and who may ask.

``/healthz`` touches nothing but the process: a load balancer or compose restarts a web process
that stops answering it, and a database outage must not restart every web process at once.
``/readyz`` checks each part a request may need: the database (``SELECT 1``), the Celery broker,
the cache (a write and a read) and the object storage (an existence check on the media root or
the bucket); each named with its time in ms. 200 when all are ok, 503 naming those that failed.

``/metrics`` is ``core/metrics.py``'s exposition. ``/readyz`` and ``/metrics`` say what the deployment runs on and how busy it is: they answer only
requests from ``METRICS_ALLOWED_NETWORKS`` (loopback by default) or carrying
``Authorization: Bearer <METRICS_TOKEN>``; anybody else gets 403. The address is the one
``core.middleware.TrustedProxyMiddleware`` settled on: a request forwarded by a proxy that is not
in ``TRUSTED_PROXIES`` has no client address we can believe, so only the token lets it in.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core.middleware import UNTRUSTED_FORWARD, parse_networks


@lru_cache(maxsize=8)
def _networks(values: tuple[str, ...]) -> tuple:
    return parse_networks(values, setting="METRICS_ALLOWED_NETWORKS")


def may_read_operations(request) -> bool:
    """From an allowed network, or with the metrics token."""
    token = settings.METRICS_TOKEN
    scheme, _, given = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    if token and scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode()):
        return True
    if request.META.get(UNTRUSTED_FORWARD):
        return False
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in net for net in _networks(tuple(settings.METRICS_ALLOWED_NETWORKS)))


def refused() -> JsonResponse:
    detail = _("Not from an allowed network (METRICS_ALLOWED_NETWORKS) and no valid bearer token.")
    return JsonResponse({"detail": str(detail)}, status=403, json_dumps_params={"ensure_ascii": False})


# --- the checks ---------------------------------------------------------------------------------


@dataclass
class Check:
    ok: bool
    ms: float
    detail: str = ""


def _database() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return connection.vendor


def _broker() -> str:
    """A round trip to the broker; where tasks run in the caller there is none to reach."""
    from celery import current_app

    conf = current_app.conf
    if conf.task_always_eager:
        return "none: tasks run in the caller"
    url = str(conf.broker_url or "")
    if url.startswith(("redis://", "rediss://")):
        import redis

        client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
        try:
            client.ping()
        finally:
            client.close()
        return "redis"
    with current_app.connection_for_read() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
        return conn.transport_cls if isinstance(conn.transport_cls, str) else "connected"


def _cache() -> str:
    from django.core.cache import caches

    cache = caches["default"]
    key = f"readyz:{os.getpid()}"
    value = str(time.time_ns())
    cache.set(key, value, 10)
    if cache.get(key) != value:
        raise RuntimeError("the value written was not read back")
    return cache.__class__.__name__


def _storage() -> str:
    """An existence check: the media root (its parent while nothing was stored yet), or the bucket."""
    from django.core.files.storage import FileSystemStorage, default_storage

    bucket = getattr(default_storage, "bucket_name", None)
    if bucket:  # django-storages' S3: HEAD on the bucket (a missing one raises, with its status)
        default_storage.connection.meta.client.head_bucket(Bucket=bucket)  # type: ignore[attr-defined]
        return f"bucket {bucket}"
    if default_storage.exists(""):
        return default_storage.__class__.__name__
    if isinstance(default_storage, FileSystemStorage):
        parent = os.path.dirname(os.path.abspath(default_storage.location))
        if os.path.isdir(parent):
            return "media root made at the first upload"
    raise RuntimeError("the media root does not exist")


CHECKS: dict[str, Callable[[], str]] = {
    "database": _database,
    "broker": _broker,
    "cache": _cache,
    "storage": _storage,
}


def run_checks() -> dict[str, Check]:
    results = {}
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            detail, ok = check(), True
        except Exception as exc:  # every failure is an answer here, never a 500
            detail, ok = f"{exc.__class__.__name__}: {exc}"[:300], False
        results[name] = Check(ok, round((time.perf_counter() - started) * 1000, 1), detail)
    return results


# --- the views ----------------------------------------------------------------------------------


@never_cache
@require_GET
def healthz(request):
    return JsonResponse({"status": "ok", "pid": os.getpid()})


@never_cache
@require_GET
def readyz(request):
    if not may_read_operations(request):
        return refused()
    results = run_checks()
    failing = [name for name, check in results.items() if not check.ok]
    body = {
        "status": "failed" if failing else "ok",
        "failing": failing,
        "checks": {
            name: {"status": "ok" if c.ok else "failed", "ms": c.ms, "detail": c.detail} for name, c in results.items()
        },
    }
    return JsonResponse(body, status=503 if failing else 200, json_dumps_params={"ensure_ascii": False})


@never_cache
@require_GET
def metrics(request):
    from prometheus_client import CONTENT_TYPE_LATEST

    from core.metrics import exposition

    if not may_read_operations(request):
        return refused()
    return HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)
