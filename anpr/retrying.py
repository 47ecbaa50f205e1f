"""Running a write again when PostgreSQL breaks its transaction off (deadlock, serialisation).

Used by ingestion and by matching, so it sits under both."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

from django.db import OperationalError, connection, transaction

log = logging.getLogger(__name__)
T = TypeVar("T")


# PostgreSQL breaks off one of two transactions that wait for each other (deadlock_detected) or
# that cannot both be serialised (serialization_failure); run again, the broken one goes through.
RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})
RETRIES = 3


def atomic_retrying(write: Callable[[], T]) -> T:
    """``write()`` in its own transaction, run again (up to ``RETRIES`` times in all) when PostgreSQL
    breaks it off on a deadlock or a serialisation failure, so a camera's batch is never refused
    for another's. Inside an outer transaction it runs once: the locks it waits for are held by
    the outer transaction, which only its caller can roll back."""
    nested = connection.in_atomic_block
    for attempt in range(1, RETRIES + 1):
        try:
            with transaction.atomic():
                return write()
        except OperationalError as exc:
            code = getattr(exc.__cause__, "pgcode", None)
            if nested or attempt == RETRIES or code not in RETRYABLE_SQLSTATES:
                raise
            log.warning("transaction broken off (%s), attempt %d of %d: %s", code, attempt, RETRIES, exc)
            time.sleep(0.01 * attempt)
    raise AssertionError("unreachable")
