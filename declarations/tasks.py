"""Celery tasks of the declarations app: each takes ids and calls one service."""

from celery import shared_task

from . import flags


@shared_task(acks_late=True)
def refresh_flags(declaration_ids: list[int]) -> int:
    """Recompute duplicate waybill / goods serial / vehicle flags after a bulk change."""
    flags.refresh_flags_for(declaration_ids)
    return len(declaration_ids)


@shared_task(acks_late=True)
def followups_daily() -> dict:
    """Beat, every morning: propose follow-up letters, remind and escalate (declarations.casework)."""
    from . import casework

    return casework.followups_run()


@shared_task(acks_late=True)
def render_letter_pdf(letter_id: int) -> int:
    """Render a letter's PDF (WeasyPrint is too slow for a request)."""
    from . import letters

    letters.letter_store_pdf(letter_id=letter_id)
    return letter_id
