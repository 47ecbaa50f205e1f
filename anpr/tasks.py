"""Celery tasks of anpr: take ids, call one service (eager in-process when REDIS_URL is unset)."""

from celery import shared_task

from core.taskruns import Job, limits

from . import health, services, sightings


@shared_task(base=Job, acks_late=True, **limits("matching"))
def match_reads(read_ids: list[int]) -> dict:
    """Only reads still pending are matched and summary updates are conditional: safe to redeliver."""
    return sightings.reads_match(read_ids=read_ids)


@shared_task(base=Job, acks_late=True, **limits("recognition"))
def recognise_read(read_id: int) -> None:
    services.read_recognise(read_id=read_id)


@shared_task(base=Job, **limits("default"))
def check_camera_health() -> dict:
    return health.cameras_check_health()


@shared_task(base=Job, **limits("matching"))
def match_pending_reads() -> int:
    """Sweep for reads whose matching message was lost (broker outage); run by hand or from beat."""
    ids = sightings.reads_pending_match()
    for start in range(0, len(ids), 1000):
        sightings.reads_match(read_ids=ids[start : start + 1000])
    return len(ids)


@shared_task(base=Job, acks_late=True, **limits("training"))
def train_model(run_id: int) -> None:
    """A training run started from the models page: claimed by a conditional update, so a second
    delivery does nothing while it runs, and takes over a run whose worker died (past its time limit)."""
    from . import retraining

    retraining.training_run(run_id=run_id)
