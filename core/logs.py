"""Log format: one JSON object per line in production, plain text under ``make run``.

``LOG_FORMAT=json`` (the default with ``DEBUG`` off outside the embedded default) writes each record
as one line of JSON through python-json-logger: ``time`` (UTC, ISO 8601), ``level``, ``logger``,
``message``, ``request_id``, and what the record carries: ``user_id``, ``method``, ``path``, ``view``,
``status``, ``duration_ms`` for a request; ``task_name``, ``task_id``, ``queue``, ``state`` for a
task (``core/request_context.py`` puts them there). A log collector reads the fields without
parsing text. ``LOG_FORMAT=text`` keeps the familiar one-line text with the request id.
"""

from __future__ import annotations

import logging

from pythonjsonlogger.json import JsonFormatter as _JsonFormatter

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


class JsonFormatter(_JsonFormatter):
    """python-json-logger with the field names above and no empty request or task fields."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger"})
        kwargs.setdefault("timestamp", "time")
        kwargs.setdefault("json_ensure_ascii", False)  # Persian messages readable in the log
        super().__init__("%(levelname)s %(name)s %(message)s", *args, **kwargs)

    def add_fields(self, log_record, record, message_dict) -> None:
        super().add_fields(log_record, record, message_dict)
        for key in ("user_id", "task_name", "task_id", "queue"):
            if log_record.get(key) is None:
                log_record.pop(key, None)


class TextFormatter(logging.Formatter):
    """Plain text with the request id, ``-`` outside a request."""

    def format(self, record: logging.LogRecord) -> str:
        if getattr(record, "request_id", None) is None:
            record.request_id = "-"
        return super().format(record)


def logging_config(*, fmt: str, level: str) -> dict:
    """Django's ``LOGGING`` for the chosen format. Requests and tasks get one INFO line each in JSON
    (the log collector's access log); in text the dev server already prints its own."""
    if fmt not in ("json", "text"):
        raise ValueError(f"LOG_FORMAT must be json or text, not {fmt!r}")
    config: dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": "core.request_context.RequestContextFilter"}},
        "formatters": {
            "json": {"()": "core.logs.JsonFormatter"},
            "text": {"()": "core.logs.TextFormatter", "format": TEXT_FORMAT},
        },
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": fmt, "filters": ["context"]},
        },
        "root": {"handlers": ["console"], "level": level},
    }
    if fmt == "json":
        config["loggers"] = {name: {"level": "INFO"} for name in ("transit_monitor.request", "transit_monitor.task")}
    return config
