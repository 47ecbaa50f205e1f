"""The request id and the request or task being served, for every log line and every task sent.

One id per request: the caller's ``X-Request-ID`` when it is sane (nginx or a client may set one),
otherwise a new one; it is returned in the response's ``X-Request-ID`` header. Every Celery task sent
while serving the request carries it in its message headers (``before_task_publish``) and the worker
takes it back before running the task (``task_prerun``), so the task's log lines, and the tasks it
sends in turn, carry the same id. ``RequestContextFilter`` puts it (with the user, or the task's name,
id and queue) on every log record; ``core/logs.py`` writes them as JSON.

Each request ends with one log line (``transit_monitor.request``: method, path, status, duration,
user) and each task with one (``transit_monitor.task``: name, id, queue, state, duration); both at
INFO, which the JSON setup shows and the plain-text setup (``make run``) leaves to the dev server.
"""

from __future__ import annotations

import contextvars
import logging
import re
import time
import uuid
from dataclasses import dataclass, field

from django.utils.functional import SimpleLazyObject, empty

HEADER = "X-Request-ID"
CELERY_HEADER = "request_id"
# A caller's id is kept only if it is short and plain: it goes into every log line as it came.
SANE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:@/+=-]{0,127}$")
# Health checks and scrapes come every few seconds: their request line only when something failed.
QUIET_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})

request_log = logging.getLogger("transit_monitor.request")
task_log = logging.getLogger("transit_monitor.task")


@dataclass
class Context:
    request_id: str | None = None
    request: object | None = None  # the HttpRequest being served
    task_name: str | None = None
    task_id: str | None = None
    queue: str | None = None
    started: float = field(default_factory=time.perf_counter)


_current: contextvars.ContextVar[Context | None] = contextvars.ContextVar("transit_request_context", default=None)


def current() -> Context | None:
    return _current.get()


def current_request_id() -> str | None:
    context = _current.get()
    return context.request_id if context else None


def new_request_id() -> str:
    return uuid.uuid4().hex


def accept_request_id(value: str | None) -> str:
    """The caller's id if sane, else a new one."""
    value = (value or "").strip()
    return value if SANE_ID.match(value) else new_request_id()


def user_id_of(request) -> int | None:
    """The signed-in user's id, without a query: only once something in the request loaded the user
    (a lazy user nobody asked for stays unasked; an API token's user is set by DRF)."""
    user = getattr(request, "__dict__", {}).get("user")
    if user is None:
        return None
    if isinstance(user, SimpleLazyObject) and user._wrapped is empty:  # type: ignore[attr-defined]
        return None
    return user.pk if getattr(user, "is_authenticated", False) else None


class RequestIdMiddleware:
    """First in the chain: the request id, the request line in the log, the request metrics."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from core import metrics

        context = Context(request_id=accept_request_id(request.META.get("HTTP_X_REQUEST_ID")), request=request)
        request.request_id = context.request_id
        token = _current.set(context)
        try:
            response = self.get_response(request)
            elapsed = time.perf_counter() - context.started
            match = getattr(request, "resolver_match", None)
            view = (match.view_name if match else "") or "unrouted"
            metrics.observe_request(view=view, method=request.method, status=response.status_code, seconds=elapsed)
            response[HEADER] = context.request_id
            if request.path not in QUIET_PATHS or response.status_code >= 400:
                request_log.info(
                    "%s %s %s",
                    request.method,
                    request.path,
                    response.status_code,
                    extra={
                        "method": request.method,
                        "path": request.path,
                        "view": view,
                        "status": response.status_code,
                        "duration_ms": round(elapsed * 1000, 1),
                    },
                )
            return response
        finally:
            _current.reset(token)


class RequestContextFilter(logging.Filter):
    """Puts the request id, the user and the task (when there is one) on every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = _current.get()
        record.request_id = getattr(record, "request_id", None) or (context.request_id if context else None)
        if context is None:
            return True
        if context.request is not None and not hasattr(record, "user_id"):
            record.user_id = user_id_of(context.request)
        if context.task_id is not None:
            record.task_name = context.task_name
            record.task_id = context.task_id
            record.queue = context.queue
        return True


# --- Celery -------------------------------------------------------------------------------------


def _queue_of(task) -> str:
    """The queue the message came from; where the task runs in the caller (eager), where it would go."""
    info = getattr(task.request, "delivery_info", None) or {}
    queue = info.get("routing_key") or info.get("queue")
    if queue:
        return str(queue)
    try:
        route = task.app.amqp.router.route({}, task.name)
        return str(route["queue"].name)
    except Exception:  # a route we cannot work out does not stop the task
        return str(task.app.conf.task_default_queue or "celery")


def on_before_task_publish(headers=None, **_kwargs) -> None:
    """The current request id into the message's headers (kept if the sender set one)."""
    request_id = current_request_id()
    if headers is not None and request_id and not headers.get(CELERY_HEADER):
        headers[CELERY_HEADER] = request_id


def on_task_prerun(task_id=None, task=None, **_kwargs) -> None:
    request = task.request
    request_id = getattr(request, CELERY_HEADER, None) or (getattr(request, "headers", None) or {}).get(CELERY_HEADER)
    outer = _current.get()
    if not request_id and outer is not None:
        request_id = outer.request_id  # run in the caller (eager): the caller's id
    context = Context(
        # A task no request sent (beat's, a command's) is its own origin: the tasks it sends carry its id.
        request_id=request_id or task_id,
        request=outer.request if outer else None,
        task_name=task.name,
        task_id=task_id,
        queue=_queue_of(task),
    )
    # The previous context, to put back after the task (an eager task runs inside a request).
    request._transit_context_token = _current.set(context)
    task_log.info("task %s started", task.name, extra={"state": "STARTED"})


def on_task_postrun(task_id=None, task=None, state=None, **_kwargs) -> None:
    from core import metrics

    context = _current.get()
    if context is None or context.task_id != task_id:
        return
    elapsed = time.perf_counter() - context.started
    metrics.observe_task(task=task.name, queue=context.queue or "", seconds=elapsed, state=state or "")
    task_log.info(
        "task %s %s",
        task.name,
        state,
        extra={"state": state, "duration_ms": round(elapsed * 1000, 1)},
    )
    token = getattr(task.request, "_transit_context_token", None)
    if token is not None:
        try:
            _current.reset(token)
        except ValueError:  # set in another context (cannot happen with Celery's pools); drop it
            _current.set(None)


def connect_celery_signals() -> None:
    from celery import signals

    signals.before_task_publish.connect(on_before_task_publish, dispatch_uid="transit-request-id-publish")
    signals.task_prerun.connect(on_task_prerun, dispatch_uid="transit-request-id-prerun")
    signals.task_postrun.connect(on_task_postrun, dispatch_uid="transit-request-id-postrun")
