"""Celery tasks of the declarations app: each takes ids and calls one service."""

from celery import shared_task

from core.taskruns import Job, limits

from . import flags, import_jobs


@shared_task(base=Job, acks_late=True, **limits("default"))
def refresh_flags(declaration_ids: list[int]) -> int:
    """Recompute duplicate waybill / goods serial / vehicle flags after a bulk change."""
    flags.refresh_flags_for(declaration_ids)
    return len(declaration_ids)


@shared_task(base=Job, acks_late=True, **limits("import"))
def run_import(batch_id: int, language: str = "") -> None:
    """Import a queued batch (claimed by a conditional UPDATE: a redelivered message does nothing)."""
    import_jobs.import_batch_run(batch_id=batch_id, language=language)


@shared_task(base=Job, acks_late=True, **limits("default"))
def refresh_covered_flags() -> int:
    """Headquarters changed the covered goods: set the two summary columns again over the table."""
    from .covered import refresh_flags

    return refresh_flags()
