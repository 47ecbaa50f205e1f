"""What scans adds to pages of ``declarations`` through its hooks (registered in apps.py)."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from accounts.models import CustomsOffice
from core.dates import format_jalali
from core.text import digits, is_persian
from declarations import idents, scan_compliance, serials
from declarations.hooks import TemplatePanel, TimelineItem
from declarations.models import Review, SettlementOverride, Status, Verdict
from declarations.serials import Block

from . import selectors, services
from .models import Scan, ScanComparison, Stage, View

COMPLIANCE_DAYS = 30
# Two grouped scans of a month of departures/arrivals: seconds on 10M rows, so the panel is cached.
COMPLIANCE_CACHE_SECONDS = 600


def _of_view(title: str, row: Scan | ScanComparison) -> str:
    """A timeline title naming the view of a dual-view scan («… (top view)»): two lines alike otherwise."""
    return title if row.view == View.SINGLE else f"{title} ({row.get_view_display()})"


def timeline_items(declaration, user) -> list[TimelineItem]:
    """Scans and comparison results of a declaration (reviews are declaration events already)."""
    items: list[TimelineItem] = []
    if declaration.origin_scan_at is None and declaration.dest_scan_at is None:
        return items  # every scan stamps its stage's time (evidence.note_scan): none yet, no query
    scans = list(Scan.objects.for_user(user).filter(declaration=declaration).select_related("office", "uploaded_by"))
    for scan in scans:
        items.append(
            TimelineItem(
                at=scan.captured_at,
                kind="scan",
                title=_of_view(_("Origin scan") if scan.stage == Stage.ORIGIN else _("Destination scan"), scan),
                detail=_("%(office)s, scanner %(scanner)s") % {"office": scan.office, "scanner": scan.scanner_id},
                url=reverse("scans:declaration", args=[declaration.pk]),
                actor=scan.uploaded_by.get_full_name() or scan.uploaded_by.username if scan.uploaded_by else "",
            )
        )
    items.extend(_reuse_items(declaration, scans, user))
    comparisons = ScanComparison.objects.for_user(user).filter(
        declaration=declaration, status=ScanComparison.Status.DONE
    )
    for comparison in comparisons:
        severity = {Verdict.SUSPICIOUS: "danger", Verdict.UNREGISTERED: "warning"}.get(comparison.verdict, "")
        if comparison.review == Review.ACCEPTED:
            severity = ""
        items.append(
            TimelineItem(
                at=comparison.finished_at or comparison.created_at,
                kind="comparison",
                title=_of_view(
                    _("Scan comparison: %(verdict)s") % {"verdict": comparison.get_verdict_display()}, comparison
                ),
                detail=comparison.get_review_display(),
                url=reverse("scans:viewer", args=[comparison.pk]),
                severity=severity,
            )
        )
    return items


def comparison_link(declaration) -> str:
    """The viewer of the current comparison that withholds the declaration's settlement: a suspicious
    one awaiting review first, then one that could not align the images awaiting review, else an escalated
    one ("" when none)."""
    done = [c for c in services.current_comparisons(declaration.pk) if c.status == ScanComparison.Status.DONE]
    for wanted in (
        lambda c: c.verdict == Verdict.SUSPICIOUS and c.review == Review.PENDING,
        lambda c: c.verdict == Verdict.UNREGISTERED and c.review == Review.PENDING,
        lambda c: c.review == Review.ESCALATED,
    ):
        found = next((c for c in done if wanted(c)), None)
        if found is not None:
            return reverse("scans:viewer", args=[found.pk])
    return ""


def escalation_blocks(declaration) -> list[Block]:
    """Each comparison of the declaration the destination escalated as suspicious withholds the settlement
    (``hooks.settlement_blocks``), current or not: a later scan adds a comparison, it does not lift an
    escalation. Headquarters or the province's inspector release it (``serials.settlement_override``, with a
    reason), one escalation at a time: the block is named by its comparison. No query before any comparison
    has finished (the summary has no verdict)."""
    if not declaration.comparison_verdict:
        return []
    escalated = list(
        ScanComparison.objects.filter(declaration_id=declaration.pk, review=Review.ESCALATED).order_by("pk")
    )
    # Once why it cannot be settled is recorded, the block says so (which, when, by whom), not to record it.
    recorded = (
        serials.unsettled_recorded(declaration)
        if escalated and declaration.status == Status.UNSETTLED and declaration.unsettled_reason
        else ""
    )
    blocks = []
    for c in escalated:
        what = {
            "id": digits(c.pk),
            "view": c.get_view_display(),
            "at": format_jalali(c.reviewed_at, persian=is_persian()) if c.reviewed_at else "—",
        }
        if recorded:
            message = _(
                "The scan comparison no. %(id)s (%(view)s) was escalated as suspicious on %(at)s. %(recorded)s A later"
                " scan does not lift it: headquarters or the province's inspector may release the settlement with a"
                " written reason."
            ) % {**what, "recorded": recorded}
        else:
            message = (
                _(
                    "The scan comparison no. %(id)s (%(view)s) was escalated as suspicious on %(at)s: record why it"
                    " cannot be settled. A later scan does not lift it: headquarters or the province's inspector may"
                    " release the settlement with a written reason."
                )
                % what
            )
        blocks.append(
            Block("scan_escalated", f"scan_escalated:{c.pk}", message, url=reverse("scans:viewer", args=[c.pk]))
        )
    if not blocks and declaration.comparison_review == Review.ESCALATED:
        # The summary says escalated with no comparison row to name (a summary set by hand): it blocks as it says.
        blocks.append(
            Block(
                "scan_escalated",
                "scan_escalated",
                _("The scan comparison is escalated as suspicious: record why it cannot be settled."),
                url=comparison_link(declaration),
            )
        )
    return blocks


def declaration_context(user, declaration) -> dict:
    """The declaration page's scan summary (``hooks.declaration_actions``): while a view of the pass is missing on
    one side, which one and which office is to upload it (``services.missing_views``). Read from the summary
    first: no query unless it says incomplete. Beside the current comparison's verdict, each earlier comparison that
    stands escalated (no override released it): it still withholds the settlement (``escalation_blocks``)."""
    context: dict = {"scan_escalated_elsewhere": _escalated_elsewhere(declaration)}
    if declaration.comparison_verdict == Verdict.INCOMPLETE:
        context["scan_missing_views"] = [missing.text for missing in services.missing_views(declaration.pk)]
    return context


def _escalated_elsewhere(declaration) -> list[tuple[str, str]]:
    """(text, viewer url) of each comparison escalated and not released while the summary does not say escalated.
    No query before any comparison has finished, nor while the summary says escalated."""
    if not declaration.comparison_verdict or declaration.comparison_review == Review.ESCALATED:
        return []
    escalated = list(
        ScanComparison.objects.filter(declaration_id=declaration.pk, review=Review.ESCALATED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not escalated:
        return []
    covers = SettlementOverride.objects.filter(declaration_id=declaration.pk).values_list("covers", flat=True)
    covered = {ref for refs in covers for ref in refs}
    return [
        (
            _("Scan comparison no. %(id)s: escalated as suspicious") % {"id": digits(pk)},
            reverse("scans:viewer", args=[pk]),
        )
        for pk in escalated
        if f"scan_escalated:{pk}" not in covered
    ]


def _reuse_items(declaration, scans: list[Scan], user) -> list[TimelineItem]:
    """A scan that is the same image as another declaration's scan, either way, told as the scans'
    page tells it to this user (the other declaration named and linked only if the user may see it).
    Another truck's image: ``danger`` on the declaration that repeats it (its ``scan_reused`` signal),
    ``warning`` on the one whose scan was reused; the same truck's: a plain entry."""
    by_id = {s.pk: s for s in scans}
    own = reverse("scans:declaration", args=[declaration.pk])
    items = []
    for found in selectors.reuses(scans, user).values():
        for reuse in found:
            scan = by_id[reuse.scan_id]
            items.append(
                TimelineItem(
                    at=reuse.other.uploaded_at if reuse.later else scan.uploaded_at,
                    kind="scan_reuse",
                    title=(
                        _("Scan uploaded again for another declaration")
                        if reuse.later
                        else _("Scan is the same image as another declaration's scan")
                    ),
                    detail=reuse.text,
                    url=f"{reuse.url}#scan-{reuse.other.pk}" if reuse.url else f"{own}#scan-{scan.pk}",
                    severity="" if reuse.same_truck else ("warning" if reuse.later else "danger"),
                    # who uploaded it again: this declaration's scan, or (named to those who see it) the other's
                    actor=_person(reuse.other.uploaded_by if reuse.later else scan.uploaded_by)
                    if reuse.visible or not reuse.later
                    else "",
                )
            )
    return items


def _person(user) -> str:
    return (user.get_full_name() or user.username) if user else ""


def compliance_panel(request, scoped_declarations) -> TemplatePanel | None:
    """Scan compliance of the offices the user watches over the last 30 days; each figure links to the
    declaration list showing the declarations it counts (same scope, same window)."""
    # The scoped query's SQL is the cache key: users with the same scope share one entry (v2: the entry
    # holds its window, so one cached before it did is never read). The window is kept with the figures
    # (the links must name the window they were counted over), in whole minutes (the list's window is
    # written as a Jalali time to the minute), up to the end of the current minute (a departure a moment
    # ago is counted).
    key = "scans:compliance:v3:" + hashlib.sha256(str(scoped_declarations.query).encode()).hexdigest()
    cached = cache.get(key)
    if cached is None:
        end = timezone.now().replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
        start = end - dt.timedelta(days=COMPLIANCE_DAYS)
        cached = {
            "start": start,
            "end": end,
            "figures": selectors.compliance(scoped_declarations, start, end),
            # v3: the offices without a scanner (a few rows), which the figures leave out.
            "no_scanner": list(CustomsOffice.objects.filter(has_scanner=False).order_by("code")),
        }
        cache.set(key, cached, COMPLIANCE_CACHE_SECONDS)
    figures = cached["figures"]
    user = request.user
    if not user.is_national:
        visible = {o.pk for o in _offices(figures) if user.can_see_office(o)}
        figures = {pk: row for pk, row in figures.items() if pk in visible}
    rows = sorted(figures.values(), key=lambda r: r.get("office_code", ""))
    rows = [{**row, "links": figure_links(row["office_code"], cached["start"], cached["end"])} for row in rows]
    return TemplatePanel(
        template="scans/_compliance_panel.html",
        context={
            "compliance_rows": rows,
            "compliance_days": COMPLIANCE_DAYS,
            # Named so that an inspector knows they are left out of the figures on purpose, not forgotten.
            "offices_without_scanner": [o for o in cached["no_scanner"] if user.can_see_office(o)],
            "list_separator": idents.list_separator(),
        },
        order=50,
    )


# A figure of the panel → the declaration list's compliance filter that selects its rows.
FIGURE_FILTERS = {
    "departed": "departed",
    "origin_scanned_in_time": "scanned_in_time",
    "origin_not_in_time": "not_scanned_in_time",
    "arrived": "arrived",
    "reviewed": "reviewed",
    "not_reviewed": "not_reviewed",
}


def figure_links(office_code: str, start: dt.datetime, end: dt.datetime) -> dict[str, str]:
    """The list address of each figure of an office: its origin side or destination side, in the window."""
    window = {"window_from": format_jalali(start, persian=False), "window_to": format_jalali(end, persian=False)}
    links = {}
    for figure, key in FIGURE_FILTERS.items():
        side = scan_compliance.FIGURES[key][0]
        query = {side: office_code, "compliance": key, **window}
        links[figure] = f"{reverse('declarations:list')}?{urlencode(query)}"
    return links


def _offices(figures):
    return CustomsOffice.objects.filter(pk__in=figures)
