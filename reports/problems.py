"""The system-problem register as a queue: states as tabs with their counts and the list's filters, the order
each tab is worked in, and the XLSX/CSV export of a tab (every text cell formula-safe)."""

from __future__ import annotations

import io

from django import forms
from django.db.models import Case, Count, F, IntegerField, Q, Value, When
from django.utils.translation import gettext_lazy as _

from core.dates import format_jalali
from core.forms import ListFilterForm
from core.text import is_persian
from declarations.cells import SafeCsvWriter, safe_row

from .models import ProblemStatus, SystemProblem

OPEN = "open"
# Tab → the statuses it holds; "open" (new and acknowledged) is what IT works from, so the default.
TABS: dict[str, tuple[str, ...]] = {
    OPEN: (ProblemStatus.NEW, ProblemStatus.ACKNOWLEDGED),
    ProblemStatus.NEW: (ProblemStatus.NEW,),
    ProblemStatus.ACKNOWLEDGED: (ProblemStatus.ACKNOWLEDGED,),
    ProblemStatus.RESOLVED: (ProblemStatus.RESOLVED,),
    "all": tuple(ProblemStatus.values),
}
EXPORT_LIMIT = 20_000


class QueueFilterForm(ListFilterForm):
    """The list's ``?status=`` (a tab; open when not given) and ``?format=csv|xlsx`` (the tab's export)."""

    status = forms.ChoiceField(label=_("status"), required=False, choices=[("", "—"), *((t, t) for t in TABS)])
    format = forms.ChoiceField(label=_("format"), required=False, choices=[("", "—"), ("csv", "CSV"), ("xlsx", "XLSX")])


def queue(user, tab: str):
    """The problems of a tab in the user's scope: open ones oldest first (the longest waiting on
    top), resolved ones the latest resolved first."""
    qs = (
        SystemProblem.objects.for_user(user)
        .filter(status__in=TABS.get(tab, TABS[OPEN]))
        .select_related("office", "assigned_to", "reported_by")
    )
    is_resolved = Case(
        When(status=ProblemStatus.RESOLVED, then=Value(1)), default=Value(0), output_field=IntegerField()
    )
    return qs.annotate(_resolved=is_resolved).order_by(
        "_resolved", F("resolved_at").desc(nulls_first=True), "reported_at", "pk"
    )


def counts(user) -> dict[str, int]:
    """Problems per state in the user's scope, and the open ones: one query."""
    agg = SystemProblem.objects.for_user(user).aggregate(
        **{status: Count("pk", filter=Q(status=status)) for status in ProblemStatus.values}
    )
    agg[OPEN] = agg[ProblemStatus.NEW] + agg[ProblemStatus.ACKNOWLEDGED]
    agg["all"] = agg[OPEN] + agg[ProblemStatus.RESOLVED]
    return agg


def person(user) -> str:
    """A person by name (the username only when the account has no name)."""
    if user is None:
        return ""
    return user.get_full_name() or user.username


HEADERS = [
    _("number"),
    _("system"),
    _("what fails"),
    _("office code"),
    _("office"),
    _("since"),
    _("reported at"),
    _("reported by"),
    _("status"),
    _("assigned to"),
    _("acknowledged at"),
    _("resolved at"),
    _("description"),
    _("resolution"),
]


def rows(problems):
    for p in problems[:EXPORT_LIMIT]:
        yield [
            p.pk,
            str(p.get_system_display()),
            str(p.get_symptom_display()),
            p.office.code,
            p.office.name_fa,
            format_jalali(p.since, persian=False),
            format_jalali(p.reported_at, persian=False),
            person(p.reported_by),
            str(p.get_status_display()),
            person(p.assigned_to),
            format_jalali(p.acknowledged_at, persian=False),
            format_jalali(p.resolved_at, persian=False),
            p.description_text(),
            p.resolution,
        ]


def to_csv(problems) -> bytes:
    """UTF-8 with a BOM (Excel reads the Persian text); no cell runs as a formula."""
    out = io.StringIO()
    writer = SafeCsvWriter(out)
    writer.writerow([str(h) for h in HEADERS])
    writer.writerows(rows(problems))
    return ("\ufeff" + out.getvalue()).encode()


def to_xlsx(problems) -> bytes:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(str(_("System problems"))[:31])
    ws.sheet_view.rightToLeft = is_persian()  # as the page it came from
    ws.append([str(h) for h in HEADERS])
    for row in rows(problems):
        ws.append(safe_row(row))  # openpyxl writes text starting with "=" as a formula
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
