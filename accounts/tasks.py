"""Periodic jobs of accounts; they only call accounts functions."""

from __future__ import annotations

from celery import shared_task

from . import logins


@shared_task(name="accounts.tasks.login_records_prune")
def login_records_prune() -> int:
    """Each night: drop login records past LOGIN_RECORD_KEEP_DAYS (the audit trail keeps the logins)."""
    return logins.login_records_prune()
