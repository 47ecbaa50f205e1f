"""A 403 is an expected answer (a person opening a page their role may not), not a fault: the log has one line
naming the path and the user, without a traceback (Django logged the PermissionDenied's whole traceback at
WARNING). A 500 keeps its traceback at ERROR."""

import logging

from django.test import Client
from django.urls import reverse


def _request_records(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "django.request"]


def test_a_refused_page_logs_one_line_with_the_user_and_the_path_and_no_traceback(client, inspector, caplog):
    client.force_login(inspector)
    path = reverse("declarations:import")
    with caplog.at_level(logging.INFO, logger="django.request"):
        assert client.get(path).status_code == 403
    (record,) = _request_records(caplog)
    assert record.levelno == logging.WARNING
    assert record.exc_info is None and record.exc_text is None
    line = record.getMessage()
    assert path in line and f"user {inspector.pk}" in line and "\n" not in line
    assert "Traceback" not in caplog.text


def test_a_refused_api_call_logs_no_traceback_either(inspector, caplog):
    client = Client()
    client.force_login(inspector)
    with caplog.at_level(logging.INFO, logger="django.request"):
        assert client.post("/api/declarations/import/", "[]", content_type="application/json").status_code == 403
    assert all(r.exc_info is None for r in _request_records(caplog)) and "Traceback" not in caplog.text


def test_a_server_error_is_still_logged_with_its_traceback_at_error(origin_clerk, monkeypatch, caplog):
    from declarations import selectors

    def broken(*args, **kwargs):
        raise RuntimeError("the dashboard broke")

    monkeypatch.setattr(selectors, "signal_counts_at", broken)
    client = Client(raise_request_exception=False)
    client.force_login(origin_clerk)
    with caplog.at_level(logging.INFO, logger="django.request"):
        assert client.get(reverse("home")).status_code == 500
    (record,) = [r for r in _request_records(caplog) if r.levelno == logging.ERROR]
    assert record.exc_info is not None and record.exc_info[0] is RuntimeError
