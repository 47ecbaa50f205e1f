"""Dashboard panel of reports (registered in ReportsConfig.ready() through declarations.hooks)."""

from __future__ import annotations

from declarations.hooks import TemplatePanel

from . import services


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
