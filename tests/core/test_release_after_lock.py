"""A job whose build met a passing lock (SQLite's «database is locked» under a few users, a PostgreSQL
failover) is given back to the queue even when the database is still locked at the first try: the
export stayed «being built» for an hour (the sweeper's limit) while its own retry found it running."""

from __future__ import annotations

import pytest
from django.db import OperationalError
from django.db.models import QuerySet
from django.utils import timezone

from core import taskruns
from core.models import ExportJob

pytestmark = pytest.mark.django_db


@pytest.fixture
def locked_for(monkeypatch):
    """The database refuses the first ``n`` updates as locked, then is free again."""
    update = QuerySet.update

    def arrange(n: int) -> list[int]:
        refused = [0]

        def locked_update(self, **kwargs):
            if refused[0] < n:
                refused[0] += 1
                raise OperationalError("database is locked")
            return update(self, **kwargs)

        monkeypatch.setattr(QuerySet, "update", locked_update)
        monkeypatch.setattr(taskruns, "RELEASE_PAUSES", (0.0, 0.0, 0.0, 0.0))
        return refused

    return arrange


def _claimed(hq) -> ExportJob:
    return ExportJob.objects.create(
        user=hq, kind="declarations", fmt="xlsx", language="en", state="running", started_at=timezone.now(), progress=11
    )


def test_a_job_is_given_back_once_a_passing_lock_is_gone(hq, locked_for):
    job = _claimed(hq)
    refused = locked_for(2)
    taskruns.release(ExportJob.objects.filter(pk=job.pk, state="running"), state="queued", started_at=None, progress=0)
    job.refresh_from_db()
    assert refused[0] == 2 and job.state == "queued" and job.progress == 0 and job.started_at is None


def test_a_database_still_away_leaves_the_job_to_the_sweeper(hq, locked_for):
    job = _claimed(hq)
    refused = locked_for(100)
    taskruns.release(ExportJob.objects.filter(pk=job.pk, state="running"), state="queued", started_at=None, progress=0)
    assert refused[0] == len(taskruns.RELEASE_PAUSES) + 1  # a few tries, then no more
    assert ExportJob.objects.filter(pk=job.pk).values_list("state", flat=True).get() == "running"
