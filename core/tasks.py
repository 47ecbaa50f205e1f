"""Celery tasks of core: the outbox sweeper (``core.jobs``)."""

from celery import shared_task

from . import jobs


@shared_task
def outbox_sweep() -> dict[str, int]:
    """Publish the follow-up jobs stored while the broker was down (beat, every 30 s)."""
    return jobs.outbox_sweep()
