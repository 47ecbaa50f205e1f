"""Dashboard pages. Function views that read top to bottom: scoped fetch, filter, render.

Transitions (the forms on the declaration page) are in ``views_actions.py``; the
exports of the filtered list in ``exports.py``.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from accounts.scoping import get_scoped_or_404
from core import dates, uploads
from core.db_router import reads_from_replica
from core.files import serve_evidence

from . import (
    ageing,
    detection,
    duplicates,
    evidence,
    forms,
    hooks,
    monitoring,
    plates,
    selectors,
    timeline,
    views_arrival_reads,
    views_serials,
)
from .filters import DEFAULT_SORT, DeclarationFilter, short_serial_end
from .models import Driver, TransitDeclaration, Vehicle
from .paging import BadCursor, keyset_page
from .services import allowed_actions
from .views_permits import permit_panel

LIST_RELATED = ("origin", "destination", "vehicle", "company")


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true" and not request.headers.get("HX-History-Restore-Request")


def _scope_label(user) -> str:
    key = selectors.scope_key(user)
    if key == "national":
        return _("National")
    if key.startswith("province:"):
        return _("Province: %(name)s") % {"name": user.province}
    if key.startswith("office:"):
        return _("Office: %(name)s") % {"name": user.office}
    return _("No scope")


def _panels(request, registry, *args) -> list[str]:
    """Render the panels higher apps registered (their template with their context)."""
    panels = [p for p in (provider(*args) for provider in registry) if p is not None]
    return [render_to_string(p.template, p.context, request) for p in sorted(panels, key=lambda p: p.order)]


@login_required
@reads_from_replica
def home(request):
    user = request.user
    counts, figures_at = selectors.signal_counts_at(user)
    signals = [(sig, counts[key]) for key, sig in monitoring.SIGNALS.items()]
    if request.GET.get("partial") == "signals" and _is_htmx(request):
        return render(request, "declarations/_signals.html", {"signals": signals, "figures_at": figures_at})
    charts = selectors.monthly_charts(user)
    persian = (translation.get_language() or "fa").startswith("fa")
    chart_data = {
        "labels": [dates.month_label(y, m, persian=persian) for y, m in charts["months"]],
        "series": [
            {"label": _("Declared"), "data": charts["declared"]},
            {"label": _("Late or overdue"), "data": charts["late"]},
            {"label": _("Settled"), "data": charts["settled"]},
        ],
    }
    scoped = selectors.scoped(user)
    aged = selectors.ageing_counts(user)
    context = {
        "ageing": [(key, ageing.LABELS[key], aged[key]) for key in ageing.KEYS],
        "signals": signals,
        "figures_at": figures_at,  # when the counts were made (they are cached): the page says so
        "scope_label": _scope_label(user),
        "office_rows": selectors.office_table(user),
        "office_window_days": settings.DASHBOARD_OFFICE_WINDOW_DAYS,
        "chart_data": chart_data,
        "chart_rows": list(zip(chart_data["labels"], charts["declared"], charts["late"], charts["settled"])),
        "panels": selectors.cached_render(
            user,
            f"panels:{user.role}",  # a panel may depend on the role as well as the scope
            lambda: _panels(request, hooks.dashboard_panels, request, scoped),
            settings.DASHBOARD_PANELS_CACHE_SECONDS,
        ),
    }
    return render(request, "declarations/home.html", context)


def filtered(request):
    """The user's scoped declarations under the list's filters (shared by the page and the exports)."""
    base = selectors.scoped(request.user).select_related(*LIST_RELATED)
    return DeclarationFilter(request.GET or None, queryset=base, request=request)


def invalid_filters_page(request, f: DeclarationFilter, *, status: int = 400, message: str = ""):
    """The list page with its filters' errors beside them and no rows: what a bad filter, a broken page
    link or an export asked with either gets, in the app's layout."""
    context = {"filter": f, "page": None, "count": None, "now": timezone.now(), "query": "", "list_error": message}
    template = "declarations/_list_results.html" if _is_htmx(request) else "declarations/list.html"
    return render(request, template, context, status=status)


@login_required
@reads_from_replica
def declaration_list(request):
    f = filtered(request)
    context = {"filter": f}
    if f.is_bound and not f.is_valid():
        return invalid_filters_page(request, f)
    try:
        results = selectors.cached_render(
            request.user,
            selectors.list_page_name(request.GET.urlencode()),
            lambda: _list_results(request, f),
            settings.LIST_CACHE_SECONDS,
        )
    except BadCursor:
        return invalid_filters_page(request, f, message=_("The page link is broken: start again from the first page."))
    if _is_htmx(request):
        return HttpResponse(results)  # htmx swaps the results only
    # Our own template's output, escaped when it was rendered (the cache keeps a plain str).
    return render(request, "declarations/list.html", {**context, "results_html": mark_safe(results)})  # noqa: S308


def _list_results(request, f: DeclarationFilter) -> str:
    """One page of rows (keyset), its count and the pager, rendered."""
    sort = (f.form.cleaned_data.get("sort") if f.is_bound else None) or DEFAULT_SORT
    branches = selectors.scope_branches(request.user, f.branch_offices() if f.is_bound else None)
    page = keyset_page(f.qs, sort, after=request.GET.get("after"), before=request.GET.get("before"), branches=branches)
    query = request.GET.copy()
    for key in ("after", "before"):
        query.pop(key, None)
    context = {
        "page": page,
        "count": selectors.list_count(f.qs, page),
        "now": timezone.now(),
        "query": query.urlencode(),
        # nothing found for a search too short to be a serial's end: the empty list says why
        "short_end": short_serial_end(request.GET.get("q", "")),
    }
    return render_to_string("declarations/_list_results.html", context, request)


@login_required
def declaration_detail(
    request,
    pk: int,
    *,
    forms_override: dict | None = None,
    extra_forms: dict | None = None,
    arrival_read_form=None,
    status: int = 200,
):
    declaration = get_scoped_or_404(
        TransitDeclaration.objects.select_related("vehicle", "driver", "company", "arrival"), request.user, pk=pk
    )
    selectors.attach_offices(declaration)
    # Was the truck seen at the destination's gate: for the arrival form, and the reads to review.
    reads = evidence.gate_reads(declaration, declaration.destination, request.user)
    gate = {
        "reads": reads,
        "has_camera": declaration.destination.has_anpr,
        "seen": any(r.shows_arrival for r in reads),
        "too_early": any(r.counts and r.too_early for r in reads),
        # Before the departure (or, with none, the registration): the truck there before this trip, not early.
        "trip_start": (start := declaration.departed_at or declaration.declared_at),
        "before_trip": all(r.at < start for r in reads if r.counts and r.too_early),
        "office": declaration.destination,
    }
    # A settlement withheld by a block is shown, its button off, with what withholds it (not offered in the API).
    actions = [a for a in allowed_actions(request.user, declaration, withheld=True) if a in forms.ACTION_FORMS]
    # A refused form is shown again with its error even when its action is not on offer.
    actions += [a for a in forms_override or {} if a not in actions]
    # What the data says about why it cannot settle, offered before the officer picks a reason.
    # A reason already recorded is not proposed again (a further one is a correction, offered by the form).
    proposed = (
        [p for p in detection.propose_reasons(declaration) if p.reason != declaration.unsettled_reason]
        if "record_unsettled" in actions
        else []
    )
    action_forms = {
        a: forms.ACTION_FORMS[a](prefix=a, initial={"reason": proposed[0].reason} if proposed else None)
        for a in actions
    }
    action_forms.update(forms_override or {})
    arrival_form = action_forms.get("confirm_arrival")
    gate["on_form"] = arrival_form is not None
    if arrival_form is not None and not arrival_form.is_bound:
        if gate["seen"] or not gate["has_camera"]:
            del arrival_form.fields["unseen_reason"]  # nothing to explain
        else:
            arrival_form.fields["unseen_reason"].required = True
    row_signals = selectors.signals_of(declaration)
    labels = {sig.key: sig.label for sig in row_signals}
    context = {
        "declaration": declaration,
        "gate": gate,
        "goods": declaration.goods.all(),
        "route_names": selectors.route_names(declaration.route),
        "timeline": timeline.build(declaration, request.user),
        "action_forms": [
            (a, action_forms[a], forms.action_label(a, declaration)) for a in actions if a in action_forms
        ],
        "proposed_reasons": proposed,
        "row_signals": row_signals,
        # Each duplicate flag with the declarations behind it, so that it can be checked (``duplicates``).
        "duplicates": [
            (labels[o.flag], o)
            for o in duplicates.others_of(declaration, request.user, list(labels))
            if o.flag in labels
        ],
        "now": timezone.now(),
    }
    context.update(permit_panel(request.user, declaration))
    context.update(views_serials.page_context(request, declaration, extra_forms))
    context.update(views_arrival_reads.page_context(request.user, declaration, arrival_read_form))
    # Actions of higher apps on offer (casework: a follow-up letter, a judicial case).
    for provider in hooks.declaration_actions:
        context.update(provider(request.user, declaration))
    return render(request, "declarations/detail.html", context, status=status)


@login_required
def arrival_evidence(request, pk: int):
    """The arrival's evidence document, to whoever sees the declaration (404 outside the scope).

    Opens in the browser (PDF, JPEG, PNG) or, with ``?download=1``, downloads; a file stored
    before the content checks is only ever downloaded, as bytes. Checked against its SHA-256
    each time (``core.files.serve_evidence``).
    """
    declaration = get_scoped_or_404(TransitDeclaration.objects.select_related("arrival"), request.user, pk=pk)
    arrival = getattr(declaration, "arrival", None)
    if arrival is None or not arrival.evidence:
        raise Http404(_("This declaration has no arrival evidence document."))
    filename, content_type, as_attachment = uploads.served_as(
        arrival.evidence.name,
        filename=f"{declaration.serial}-arrival-evidence.bin",
        download=request.GET.get("download") == "1",
    )
    return serve_evidence(
        request,
        arrival.evidence,
        sha256=arrival.evidence_sha256,
        filename=filename,
        content_type=content_type,
        as_attachment=as_attachment,
        office_id=declaration.destination_id,
        declaration_id=declaration.pk,
    )


@login_required
def vehicle_search(request):
    """A plate typed any way → that truck's page (or the list filtered by it when several match)."""
    text = request.GET.get("plate", "").strip()
    if not text:
        return render(request, "declarations/vehicle_search.html", {"text": text})
    try:
        plate = plates.guess_plate(text)
    except plates.PlateError:  # its own message is the developer's, in English
        error = _("'%(text)s' is not a plate.") % {"text": plates.typed(text)}
        return render(request, "declarations/vehicle_search.html", {"text": text, "error": error}, status=400)
    vehicles = Vehicle.objects.filter(plate=plate.text)
    if plate.country:
        vehicles = vehicles.filter(country=plate.country)
    visible = TransitDeclaration.objects.for_user(request.user).filter(vehicle__in=vehicles)
    ids = list(visible.order_by().values_list("vehicle_id", flat=True).distinct()[:2])
    if len(ids) == 1:
        return redirect("declarations:vehicle", pk=ids[0])
    if not ids:
        return render(
            request,
            "declarations/vehicle_search.html",
            {"text": text, "error": _("No truck with this plate in your declarations.")},
            status=404,
        )
    return redirect(reverse("declarations:list") + "?q=" + plate.text)


@login_required
def person_search(request):
    """One file per person: a national ID, legal-entity national ID, foreign-national number or
    postal code → the companies and drivers it names and their declarations in the user's scope."""
    from core.files import record_access

    from . import persons

    text = request.GET.get("q", "").strip()
    result = persons.person_file(text, request.user) if text else None
    if result is not None:
        # Looking a person up is reading personal data: the trail says who looked for whom.
        record_access(request, Driver, what="person file", query=result.query, found=result.found)
    return render(
        request,
        "declarations/person.html",
        {"text": text, "result": result},
        status=404 if result is not None and not result.found else 200,
    )


@login_required
def vehicle_detail(request, pk: int):
    """Every declaration of a truck within the user's scope, and panels (plate reads) from other apps."""
    vehicle = Vehicle.objects.select_related("company").filter(pk=pk).first()
    if vehicle is None:
        raise Http404
    scoped = selectors.scoped(request.user).filter(vehicle=vehicle)
    if not request.user.is_national and not scoped.exists():
        raise Http404  # a truck is visible through the declarations the user may see
    try:
        page = keyset_page(scoped.select_related(*LIST_RELATED), DEFAULT_SORT, after=request.GET.get("after"), size=100)
    except BadCursor:  # back to the first page, saying why
        messages.warning(request, _("The page link is broken: start again from the first page."))
        return redirect(request.path)
    context = {
        "vehicle": vehicle,
        "page": page,
        "now": timezone.now(),
        "panels": _panels(request, hooks.vehicle_panels, request, vehicle),
        "elsewhere": duplicates.open_elsewhere(vehicle.pk, request.user),
    }
    return render(request, "declarations/vehicle.html", context)
