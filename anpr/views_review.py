"""The review queue: reads a person should look at, and the page where a person reads the plate."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.scoping import get_scoped_or_404
from core.errors import DomainError, NotAllowed, http_status
from core.forms import apply_error
from declarations.idents import list_separator
from declarations.monitoring import signals_holding
from declarations.paging import BadCursor, keyset_page

from . import review
from .forms import PlateEntryForm, ReviewQueueFilter
from .models import LabelReason, PlateLabel, PlateMatch, PlateRead, confidence_percent

PAGE = 100  # reads a page; the pager (a cursor on the capture time) reaches every one


def _capped(qs) -> tuple[int, bool]:
    cap = settings.LIST_COUNT_CAP
    n = len(qs.values("id")[: cap + 1])
    return min(n, cap), n > cap


@login_required
def queue(request):
    """Reads waiting for a person at the user's offices, by kind (``?kind=``), newest first, ``PAGE`` a page
    (``?after=``/``?before=``: a cursor, so that every read can be reached), with how many wait in all. A
    kind that is no tab gets the page with its error beside the tabs and no reads (400), not every read."""
    form = ReviewQueueFilter(request.GET or None, kinds=review.KINDS)
    valid = not form.is_bound or form.is_valid()
    kind = form.cleaned_data.get("kind", "") if form.is_bound and valid else ""
    tabs = []
    filters = review.KindFilters(request.user)  # each kind's filter built once for the tabs, the page and its total
    for k in review.KINDS:
        n, more = _capped(review.queue(request.user, k, filters))
        tabs.append({"kind": k, "label": LabelReason(k).label, "count": n, "more": more})
    # Each read is in one tab (``review.queue``): «all» holds their sum.
    total = {"count": sum(t["count"] for t in tabs), "more": any(t["more"] for t in tabs)}
    page, waiting = None, 0
    if valid:
        waiting_reads = review.queue(request.user, kind, filters)
        try:
            page = keyset_page(
                waiting_reads,
                "-captured_at",
                after=request.GET.get("after") or None,
                before=request.GET.get("before") or None,
                size=PAGE,
            )
        except BadCursor:  # back to the first page of the same tab, saying why
            messages.warning(request, _("The page link is broken: start again from the first page."))
            return redirect(reverse("anpr:review-queue") + (f"?{urlencode({'kind': kind})}" if kind else ""))
        waiting = waiting_reads.order_by().count()
        near = review.near_arrivals(page.rows, request.user)
        matches = review.shown_matches(page.rows, request.user)
        for r in page.rows:
            r.near_arrivals = near.get(r.pk, [])
            r.shown_matches = matches.get(r.pk, [])
            # The button only for a user who may read it (the IT office sees the queue, its form refuses it).
            r.may_label = review.may_label(request.user, r)
    return render(
        request,
        "anpr/review_queue.html",
        {
            "tabs": tabs,
            "total": total,
            "kind": kind,
            "reads": page.rows if page else [],
            "page": page,
            "waiting": waiting,
            "query": urlencode({"kind": kind}) if kind else "",
            "filter": form,
            "invalid": not valid,
            # «What you type is kept … with your name» only to those who may type one (not the IT office).
            "may_label": review.may_label_some(request.user),
            # Below it a read goes to the queue (``review.kind_filter``), as the reads' confidence is shown.
            "threshold": confidence_percent(settings.ANPR_REVIEW_MIN_CONFIDENCE),
            "review_days": settings.ANPR_REVIEW_DAYS,  # within which it does so
        },
        status=200 if valid else 400,
    )


def _saved_message(read: PlateRead, label: PlateLabel, user) -> str:
    """What a person's reading did: the plate saved, and the declarations the read now matches, or none."""
    serials = review.matched_serials(read, user)
    if serials:
        matched = ngettext(
            "the read matched declaration %(serials)s.", "the read matched declarations %(serials)s.", len(serials)
        ) % {"serials": list_separator().join(serials)}
    else:
        matched = _("the read matched no declaration.")
    said = {"plate": review.reading_of(label)["plate"], "matched": matched}
    if not label.plate_before and not read.ocr_partial:  # nothing read before: a first reading, no correction
        return _("The plate was read by you: %(plate)s; %(matched)s") % said
    if label.corrected:  # a plate read in part and completed is corrected, as the corrections report counts it
        return _("The plate was corrected: %(plate)s; %(matched)s") % said
    return _("The plate was confirmed: %(plate)s; %(matched)s") % said


@login_required
def read_review(request, pk: int):
    """The photo and crop of a read, what it was read as, its matches and their signals; the form where
    a person types or confirms the plate (a new label; the read itself is not changed)."""
    read = get_scoped_or_404(PlateRead.objects.select_related("camera", "office", "vehicle"), request.user, pk=pk)
    allowed = review.may_label(request.user, read)
    latest = review.latest_label(read)
    # The queue the reviewer came from (``?kind=``, sent back with the form as ``queue``): where the link back
    # and the next read lead. A kind that is no tab is refused beside the link back (400, nothing recorded),
    # never a next read from another queue.
    queue_form = _queue_form(request)
    kind = queue_form.cleaned_data["kind"] if queue_form.is_valid() else ""
    if request.method == "POST":
        if not allowed:
            raise PermissionDenied(_("You may not read plates of this office's camera."))
        form = PlateEntryForm(request.POST)
        if not queue_form.is_valid():
            status = 400
        elif form.is_valid():
            data = form.cleaned_data
            try:
                done = review.read_label(
                    read=read,
                    by=request.user,
                    plate=data["plate"],
                    country=data["country"],
                    note=data["note"],
                    layout=data["layout"],
                    seen=_seen(request.POST.get("seen")),
                )
            except NotAllowed as exc:
                raise PermissionDenied(str(exc)) from exc
            except DomainError as exc:
                apply_error(form, exc)
                status = http_status(exc)
            else:
                label = done.label
                if done.repeated:
                    messages.info(
                        request,
                        _("%(who)s already read this plate as %(plate)s at %(at)s: nothing new was recorded.")
                        % review.reading_of(label),
                    )
                else:
                    messages.success(request, _saved_message(read, label, request.user))
                # On to the next read of the same kind (the queue the reviewer came from).
                nxt = review.queue(request.user, kind).exclude(pk=read.pk).first()
                if nxt is not None:
                    url = reverse("anpr:read-review", args=[nxt.pk])
                    return redirect(f"{url}?kind={kind}" if kind else url)
                return redirect("anpr:review-queue")
        else:
            status = 400
    else:
        status = 200 if queue_form.is_valid() else 400
        form = PlateEntryForm(
            initial=PlateEntryForm.initial_for(latest.plate, latest.country, latest.layout)
            if latest
            else _reader_initial(read)
        )
    matches = (
        PlateMatch.objects.for_user(request.user)
        .filter(read=read)
        .select_related("declaration__destination", "declaration__origin", "declaration__vehicle", "reviewed_by")
        .order_by("declaration_id")
    )
    rows = [{"match": m, "signals": signals_holding(m.declaration)} for m in matches]
    near = review.near_arrivals([read], request.user).get(read.pk, [])
    return render(
        request,
        "anpr/read_review.html",
        {
            "read": read,
            # A foreign plate the reader read too unsure to give: "read as" shows that read, with its country
            # (the text the form is filled with), not the Latin reader's unconstrained characters.
            "reader_foreign": review.deferred_foreign(read) if not read.plate else ("", ""),
            "form": form,
            "allowed": allowed,
            "reasons": review.reason_labels(read, request.user),
            "near_arrivals": near,
            "labels": read.labels.select_related("by").order_by("-at", "-id"),
            "seen": review.latest_label(read),  # the label this page shows in effect, sent back with the form
            "matches": rows,
            "hidden_matches": PlateMatch.objects.filter(read=read).count() - len(rows),
            "partial_candidates": review.partial_candidates(read, request.user),
            "kind": kind,
            "queue_form": queue_form,
        },
        status=status,
    )


def _queue_form(request) -> ReviewQueueFilter:
    """The review page's queue: ``?kind=`` of the link that opened it, ``queue`` of the form sent from it."""
    kind = request.POST.get("queue", "") if request.method == "POST" else request.GET.get("kind", "")
    return ReviewQueueFilter({"kind": kind}, kinds=review.KINDS)


def _seen(value: str | None):
    """The label in effect on the page that was sent (``seen``: its id, '' for none); not checked when the
    form did not say (a form of an older page)."""
    if value is None:
        return review.UNCHECKED
    return int(value) if value.isdigit() else None


def _reader_initial(read) -> dict:
    """The form filled from what the reader made of ``read``: its plate, the layout it named, or the foreign
    plate it read with too little confidence to give (the reviewer confirms or corrects it)."""
    country, text = review.deferred_foreign(read)
    if country and not read.plate:
        return {"kind": PlateEntryForm.FOREIGN, "foreign_country": country, "foreign_text": text}
    if read.ocr_partial and not review.reader_plate(read):  # the parts of a plate read in part that it read whole
        return PlateEntryForm.initial_for_partial(read.ocr_partial)
    text, layout = review.reader_reading(read)  # a camera's text of another layout: in that layout
    return PlateEntryForm.initial_for(text, read.country, layout or review.deferred_layout(read))
