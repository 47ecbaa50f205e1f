"""Dashboard panels of reports (registered in ReportsConfig.ready() through declarations.hooks)."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils import timezone

from declarations.hooks import TemplatePanel

from . import problems, services
from .models import InspectionAction


def inspections_panel(request, scoped_declarations) -> TemplatePanel | None:
    """Offices due for a periodic inspection: only for those who inspect (inspectors, HQ)."""
    user = request.user
    if not (user.is_superuser or user.role in ("inspector", "hq")):
        return None
    rows = services.inspection_schedule(user)
    due = [r for r in rows if r["state"] in ("never", "overdue", "due_soon")]
    return TemplatePanel(
        template="reports/_inspections_panel.html",
        context={"inspections_due": due[:10], "inspections_due_count": len(due)},
        order=70,
    )


def problems_panel(request, scoped_declarations) -> TemplatePanel | None:
    """The system-problem queue by state: always for the IT office (whose queue it is), for anyone
    else only while problems of their offices are open. One query."""
    user = request.user
    counts = problems.counts(user)
    if not (user.is_superuser or user.role == "it") and not counts[problems.OPEN]:
        return None
    return TemplatePanel(template="reports/_problems_panel.html", context={"problem_counts": counts}, order=75)


def inspection_actions_panel(request, scoped_declarations) -> TemplatePanel | None:
    """Inspection follow-up actions still open for the user's offices, and how many are overdue;
    nothing while none is open. One query."""
    today = timezone.localdate()
    counts = InspectionAction.objects.for_user(request.user).aggregate(
        open=Count("pk", filter=Q(done_at__isnull=True)),
        overdue=Count("pk", filter=Q(done_at__isnull=True, due_on__lt=today)),
    )
    if not counts["open"]:
        return None
    return TemplatePanel(template="reports/_actions_panel.html", context={"action_counts": counts}, order=72)
