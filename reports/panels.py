"""Dashboard panels of reports (registered in ReportsConfig.ready() through declarations.hooks)."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.dates import format_jalali
from core.text import digits, is_persian
from declarations.hooks import Outage, TemplatePanel

from . import problems, services
from .models import InspectionAction, System, SystemProblem


def inspections_panel(request, scoped_declarations) -> TemplatePanel | None:
    """Offices due for a periodic inspection: only for those who inspect (inspectors, HQ)."""
    user = request.user
    if not (user.is_superuser or user.role in ("inspector", "hq")):
        return None
    rows = services.inspection_schedule(user)
    due = [r for r in rows if r["state"] in services.SCHEDULE_FILTERS["due"]]
    soon = [r for r in rows if r["state"] in services.SCHEDULE_FILTERS["soon"]]
    return TemplatePanel(
        template="reports/_inspections_panel.html",
        # Each count is the rows of the list its link opens (``?due=due``, ``?due=soon``).
        context={"inspections_due": due[:10], "inspections_due_count": len(due), "inspections_soon_count": len(soon)},
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


def outage_names(refs: list[str]) -> dict[str, str]:
    """The system problems among ``refs`` ("problem:12", ``arrival_outages``) by their number in the reader's
    digits, as the problems page names them (``hooks.outage_names``); one query."""
    ids = {int(ref.partition(":")[2]): ref for ref in refs if ref.startswith("problem:") and ref[8:].isdigit()}
    if not ids:
        return {}
    found = SystemProblem.objects.filter(pk__in=ids).values_list("pk", flat=True)
    return {ids[pk]: _("problem no. %(n)s") % {"n": digits(pk)} for pk in found}


def arrival_outages(declaration) -> list[Outage]:
    """The plate-reader (or network) problems of the destination office open when the arrival was confirmed:
    begun before it and not resolved before it (``hooks.arrival_outages``)."""
    at = declaration.arrived_at
    problems_then = (
        SystemProblem.objects.filter(
            office_id=declaration.destination_id, system__in=(System.ANPR, System.NETWORK), since__lte=at
        )
        .filter(Q(resolved_at__isnull=True) | Q(resolved_at__gte=at))
        .order_by("since", "pk")
    )
    return [
        Outage(
            f"problem:{p.pk}",
            _("system problem no. %(id)s: %(what)s, since %(since)s")
            % {
                "id": digits(p.pk),
                "what": p.get_symptom_display(),
                "since": format_jalali(p.since, persian=is_persian()),
            },
        )
        for p in problems_then
    ]
