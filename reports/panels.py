"""Dashboard panels of reports (registered in ReportsConfig.ready() through declarations.hooks)."""

from __future__ import annotations

from declarations.hooks import TemplatePanel

from . import problems, services


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
