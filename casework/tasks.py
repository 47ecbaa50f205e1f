"""Celery tasks of the casework app: each takes ids and calls one service.

The task names are the ones they had in ``declarations.tasks``: the beat schedule and messages
already queued keep working."""

from celery import shared_task

from core.taskruns import Job, limits

from . import letters, services, smuggling


@shared_task(name="declarations.tasks.followups_daily", base=Job, acks_late=True, **limits("default"))
def followups_daily() -> dict:
    """Beat, every morning: propose follow-up letters, remind and escalate (casework.services)."""
    return services.followups_run()


@shared_task(name="declarations.tasks.render_letter_pdf", base=Job, acks_late=True, **limits("letter"))
def render_letter_pdf(letter_id: int) -> int:
    """Render a letter's PDF (WeasyPrint is too slow for a request)."""
    letters.letter_store_pdf(letter_id=letter_id)
    return letter_id


@shared_task(name="casework.tasks.case_milestones_check", base=Job, acks_late=True, **limits("default"))
def case_milestones_check() -> int:
    """Beat, every hour: tell the newly overdue statutory milestones of smuggling cases (casework.smuggling)."""
    return smuggling.milestones_run()
