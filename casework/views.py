"""Pages for follow-up letters and judicial cases (mounted at /casework/).

Function views that read top to bottom: scoped fetch, form, service, redirect. Domain
errors become form errors on the field they name; nothing is half-written.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.scoping import get_scoped_or_404
from core import exports, jobs, uploads
from core.dates import TEHRAN, format_jalali
from core.errors import DomainError, InvalidInput, NotAllowed
from core.files import serve_evidence
from core.forms import apply_error, id_or_none, posted_name, read_filters
from core.paging import numbered_page
from core.templatetags.jalali import fa
from core.text import is_persian
from declarations import idents, services
from declarations.models import TransitDeclaration

from . import letters as letter_pdfs
from . import services as casework
from . import smuggling
from .forms import (
    INBOX_STATUSES,
    MILESTONE_STATES,
    ActionForm,
    AnswerForm,
    CaseFilterForm,
    CaseForm,
    CloseForm,
    InboxFilterForm,
    LetterFilterForm,
    LetterForm,
    MilestoneFilterForm,
    MilestoneForm,
    ValuationForm,
)
from .models import CaseMilestone, CaseStatus, FollowUpLetter, JudicialCase, LetterStatus, MilestoneKind


def _letters(user):
    return FollowUpLetter.objects.select_related("declaration", "from_office", "to_office")


@login_required
def letter_list(request):
    """Drafts first, most overdue first; drafts the user may send can be sent in a batch."""
    form, data = read_filters(LetterFilterForm, request)
    return _letter_page(request, form, data)


def _letter_page(request, form, data: dict | None, *, refused: str = ""):
    """The letters list for the filters ``data``; ``refused``: a request refused, said above the list (400)."""
    if data is None:  # a filter that is not valid: the error beside the filters, no letters (never all of them)
        context = {"rows": [], "total": 0, "sendable": [], "statuses": LetterStatus.choices, "filter_form": form}
        return render(request, "casework/letter_list.html", context, status=400)
    letters = _letters(request.user).for_user(request.user)
    status, escalated, overdue = data["status"], data["escalated"], data["overdue"]
    if status:
        letters = letters.filter(status=status)
    if escalated:
        letters = letters.filter(status=LetterStatus.SENT, escalated_at__isnull=False)
    now = timezone.now()
    # The dashboard's "replies overdue" figure leads here: the same filter as its count.
    if overdue:
        letters = letters.reply_overdue(now)
    pages = numbered_page(request, letters.most_overdue_first())
    rows = [
        {
            "letter": letter,
            "late_draft": casework.letter_is_late_draft(letter, now),
            "reply_overdue": letter.status == LetterStatus.SENT and letter.reply_due_at and letter.reply_due_at < now,
            "may_send": letter.status == LetterStatus.DRAFT
            and casework.may_write_letter(request.user, letter.declaration),
        }
        for letter in pages.rows
    ]
    return render(
        request,
        "casework/letter_list.html",
        {
            "rows": rows,
            "pages": pages,
            "total": pages.count,
            "sendable": [row["letter"].pk for row in rows if row["may_send"]],
            "status": status,
            "escalated": escalated,
            "overdue": overdue,
            "statuses": LetterStatus.choices,
            "refused": refused,
        },
        status=400 if refused else 200,
    )


# The batch form's two buttons, each the field listing the letters it sends.
SEND_FIELDS = {"selected": "letter", "page": "page_letter"}


@login_required
@require_POST
def letter_send_batch(request):
    """Send the ticked drafts (``send=selected``) or every sendable draft of the page (``send=page``), one
    transaction per letter; none named, the ticked drafts. Any other ``send`` (a tampered form) sends nothing:
    the list again, saying so (400)."""
    send = request.POST.get("send") or "selected"  # none named: the ticked drafts, as the form's first button
    status = request.POST.get("status", "")
    if send not in SEND_FIELDS:
        form = LetterFilterForm({"status": status} if status in LetterStatus.values else {})
        refused = _("Invalid request: the letters page has no way of sending “%(send)s”.") % {"send": posted_name(send)}
        return _letter_page(request, form, form.cleaned_data if form.is_valid() else None, refused=refused)
    ids = {pk for pk in map(id_or_none, request.POST.getlist(SEND_FIELDS[send])) if pk is not None}
    back = reverse("casework:letters") + (f"?status={status}" if status in LetterStatus.values else "")
    if not ids:
        messages.error(request, _("Tick the draft letters to send."))
        return redirect(back)
    found = list(_letters(request.user).for_user(request.user).filter(pk__in=ids).most_overdue_first())
    sent, refused = casework.letter_send_batch(letters=found, by=request.user)
    if sent:
        messages.success(
            request,
            ngettext("%(count)s letter sent.", "%(count)s letters sent.", len(sent)) % {"count": fa(len(sent))},
        )
    for letter, reason in refused:
        messages.error(
            request,
            _("Letter %(letter)s (%(serial)s) not sent: %(reason)s")
            % {
                "letter": idents.letter_number_text(letter.number) if letter.number else f"#{fa(letter.pk)}",
                "serial": idents.serial_text(letter.declaration.serial),
                "reason": reason,
            },
        )
    for pk in sorted(ids - {letter.pk for letter in found}):
        messages.error(request, _("Letter #%(pk)s not sent: no such letter in your scope.") % {"pk": pk})
    return redirect(back)


@login_required
@require_POST
def letter_new(request, declaration_pk: int):
    declaration = get_scoped_or_404(
        TransitDeclaration.objects.select_related("origin__province", "destination", "vehicle"),
        request.user,
        pk=declaration_pk,
    )
    try:
        letter = casework.letter_draft(declaration=declaration, by=request.user)
    except NotAllowed as exc:  # not the origin office: the page offers no such button
        raise PermissionDenied(str(exc)) from exc
    except casework.DraftExists as exc:
        if exc.url:
            messages.error(request, format_html('{} <a href="{}">{}</a>', str(exc), exc.url, _("Open the draft")))
        else:
            messages.error(request, str(exc))
        return redirect("declarations:detail", pk=declaration.pk)
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect("declarations:detail", pk=declaration.pk)
    return redirect("casework:letter", pk=letter.pk)


@login_required
def letter_detail(request, pk: int):
    letter = get_scoped_or_404(_letters(request.user), request.user, pk=pk)
    form = LetterForm(
        request.POST or None,
        initial={
            "subject": letter.subject,
            "body": letter.body,
            "has_attachment": letter.has_attachment,
            "copies": "\n".join(letter.copies),
            "signer_name": letter.signer_name,
            "signer_title": letter.signer_title,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            casework.letter_update_draft(
                letter=letter,
                by=request.user,
                subject=data["subject"],
                body=data["body"],
                has_attachment=data["has_attachment"],
                copies=data["copies"],
                signer_name=data["signer_name"],
                signer_title=data["signer_title"],
            )
        except DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Draft saved."))
            if repeated := casework.copies_repeated(form.data.get("copies", "").splitlines()):
                messages.info(
                    request,
                    _("Copies typed more than once are kept once: %(lines)s.")
                    % {"lines": "، ".join(f"«{line}»" for line in repeated) if is_persian() else ", ".join(repeated)},
                )
            return redirect("casework:letter", pk=letter.pk)
    if request.GET.get("partial") == "pdf" and request.headers.get("HX-Request") == "true":
        # The PDF's line, asked again by the page every two seconds until the worker has stored it.
        return render(request, "casework/_letter_pdf.html", {"letter": letter})
    return render(
        request,
        "casework/letter_detail.html",
        {
            "letter": letter,
            "form": form,
            "answer_form": AnswerForm(),
            "may_write": casework.may_write_letter(request.user, letter.declaration),
            "may_answer": casework.may_record_answer(request.user, letter),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def letter_send(request, pk: int):
    letter = get_scoped_or_404(_letters(request.user), request.user, pk=pk)
    try:
        letter = casework.letter_send(letter=letter, by=request.user)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Letter %(n)s sent.") % {"n": idents.letter_number_text(letter.number)})
    return redirect("casework:letter", pk=pk)


@login_required
@require_POST
def letter_answer(request, pk: int):
    letter = get_scoped_or_404(_letters(request.user), request.user, pk=pk)
    if letter.status == LetterStatus.ANSWERED:  # a second click or a stale tab: say why nothing changed
        return _already_answered(request, letter)
    form = AnswerForm(request.POST, request.FILES)
    status = 400
    if not form.is_valid():
        status = form.file_status
    else:
        answered_on = form.cleaned_data["answered_on"]
        # A reply dated today is recorded now; an earlier date at the end of that Tehran day; a later
        # one as it is, for the service to refuse.
        at = None
        if answered_on:
            at = dt.datetime.combine(answered_on, dt.time(23, 59), tzinfo=TEHRAN)
            if answered_on <= timezone.now().astimezone(TEHRAN).date():
                at = min(at, timezone.now())
        try:
            casework.letter_record_answer(
                letter=letter,
                by=request.user,
                reply_text=form.cleaned_data["reply_text"],
                reply_number=form.cleaned_data["reply_number"],
                answered_at=at,
                reply_document=form.cleaned_data["reply_document"],
            )
        except DomainError as exc:
            letter.refresh_from_db(fields=["status", "answered_at"])
            if letter.status == LetterStatus.ANSWERED:  # answered from another tab meanwhile
                return _already_answered(request, letter)
            if "answered_at" in exc.fields:  # the service's name for the date typed in answered_on
                form.add_error("answered_on", str(exc))
            else:
                apply_error(form, exc)
            status = getattr(exc, "status", 400)  # a refused file: 413, 415, 422 or 503
        else:
            messages.success(request, _("Reply recorded."))
            return redirect("casework:letter", pk=pk)
    return render(
        request,
        "casework/letter_detail.html",
        {"letter": letter, "form": None, "answer_form": form, "may_answer": True},
        status=status,
    )


def _already_answered(request, letter: FollowUpLetter):
    """The letter's page, answered, with a warning saying when (the reply sent again is not recorded)."""
    messages.warning(
        request,
        _("This letter was already answered on %(at)s.")
        % {"at": format_jalali(letter.answered_at, with_time=False, persian=is_persian())},
    )
    return redirect("casework:letter", pk=letter.pk)


@login_required
def letter_reply_document(request, pk: int):
    """The reply letter's file recorded with the reply, to whoever sees the letter (404 outside the scope).

    Opens in the browser (PDF, JPEG, PNG) or, with ``?download=1``, downloads; checked against its SHA-256 each
    time and each access audited (``core.files.serve_evidence``)."""
    letter = get_scoped_or_404(_letters(request.user), request.user, pk=pk)
    if not letter.reply_document:
        raise Http404(_("This reply has no letter file."))
    filename, content_type, as_attachment = uploads.served_as(
        letter.reply_document.name,
        filename=letter.reply_document_name or f"reply-{letter.number.replace('/', '-') or letter.pk}.bin",
        download=request.GET.get("download") == "1",
    )
    return serve_evidence(
        request,
        letter.reply_document,
        sha256=letter.reply_document_sha256,
        filename=filename,
        content_type=content_type,
        as_attachment=as_attachment,
        office_id=letter.to_office_id,
        declaration_id=letter.declaration_id,
    )


@login_required
def letter_pdf(request, pk: int):
    """A sent letter's stored PDF; a draft's preview is built by the worker (an export job: the answer is
    the job's page, which follows its progress and gives the file; the person is told when it is ready)."""
    letter = get_scoped_or_404(_letters(request.user), request.user, pk=pk)
    if letter.status == LetterStatus.CANCELLED:  # withdrawn unsent: nothing to print (its page keeps the text)
        raise Http404
    if letter.status in letter_pdfs.PREVIEW_STATUSES:
        # Each click answers the preview of this version of the draft if it is building or built (one job,
        # one «ready» notification); an edit makes a new version, built afresh.
        job = exports.start(
            request,
            kind=letter_pdfs.PREVIEW_KIND,
            fmt="pdf",
            query=letter_pdfs.preview_query(letter),
            params={"version": letter_pdfs.preview_version(letter, request.user)},
            reuse_done=True,
        )
        return redirect("core:export-job", pk=job.pk)
    name = f"letter-{letter.number.replace('/', '-') or letter.pk}.pdf"
    if not letter.pdf:
        # Rendered by a task when it was sent; not there yet (or the task was lost): store it
        # now, once (the task keeps the first PDF stored and does nothing after).
        from .tasks import render_letter_pdf

        # One render message at a time for this letter, however often the waiting page reloads.
        jobs.enqueue_collapsing(f"letter-pdf:{letter.pk}", render_letter_pdf, letter.pk)
        letter.refresh_from_db()
    if letter.pdf:
        return serve_evidence(
            request,
            letter.pdf,
            sha256=letter.pdf_sha256,
            filename=name,
            content_type="application/pdf",
            as_attachment=True,
            office_id=letter.from_office_id,
            declaration_id=letter.declaration_id,
        )
    # In the app's layout, reloading itself: the download starts when the worker has stored it.
    return render(request, "casework/letter_pdf_wait.html", {"letter": letter}, status=202)


# --- judicial cases ---------------------------------------------------------------------------


def _cases():
    return JudicialCase.objects.select_related("declaration__origin", "declaration__destination")


@login_required
def case_list(request):
    """Every case of the user's offices, or those of one status (``?status=open``: the dashboard's
    "open judicial cases" figure leads here, counted by the same filter)."""
    form, data = read_filters(CaseFilterForm, request)
    context = {"statuses": CaseStatus.choices, "filter_form": form}
    if data is None:  # a status that is not one: said beside the filters, no cases (never all of them)
        return render(request, "casework/case_list.html", {**context, "cases": []}, status=400)
    cases = _cases().for_user(request.user)
    if status := data["status"]:
        cases = cases.filter(status=status)
    pages = numbered_page(request, cases)
    return render(
        request, "casework/case_list.html", {**context, "cases": pages.rows, "pages": pages, "status": status}
    )


@login_required
def case_new(request, declaration_pk: int):
    declaration = get_scoped_or_404(
        TransitDeclaration.objects.select_related("origin", "destination"), request.user, pk=declaration_pk
    )
    if not casework.may_handle_case(request.user, declaration):
        raise PermissionDenied(
            _("Only headquarters, the province's inspector or staff of the origin or destination office open a case.")
        )
    form = CaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case = casework.case_open(declaration=declaration, by=request.user, **form.cleaned_data)
        except DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Case %(n)s opened.") % {"n": idents.case_number_text(case.file_number)})
            return redirect("casework:case", pk=case.pk)
    return render(
        request,
        "casework/case_new.html",
        {"form": form, "declaration": declaration},
        status=400 if form.errors else 200,
    )


@login_required
def case_detail(request, pk: int):
    """The case: its valuations (Art. 2), its statutory milestones with their due times, its actions
    and outcome. Each form names itself in ``form``; a refused input stays on its field, a form the page
    does not have is refused above the page (400)."""
    case = get_scoped_or_404(_cases(), request.user, pk=pk)
    posted = request.POST.get("form") if request.method == "POST" else None
    if posted == "close" and case.status != CaseStatus.OPEN:
        # A second click or a stale tab: the page has no close form any more; say why nothing changed.
        messages.warning(request, _("This case was already closed."))
        return redirect("casework:case", pk=pk)
    current = list(smuggling.current_valuations(case))
    action_form = ActionForm(request.POST if posted == "action" else None)
    close_form = CloseForm(
        request.POST if posted == "close" else None,
        may_close_declaration=services.can_perform(request.user, case.declaration, "close"),
    )
    valuation_form = ValuationForm(request.POST if posted == "valuation" else None, current=current)
    now = timezone.now()
    milestones = list(case.milestones.select_related("done_by"))
    posted_milestone = request.POST.get("milestone", "") if posted == "milestone" else ""
    # One form per milestone still owed, each with its own prefix (its own field ids).
    milestone_forms = {
        m.pk: MilestoneForm(request.POST if posted_milestone == str(m.pk) else None, prefix=f"m{m.pk}")
        for m in milestones
        if not m.done_at and not m.waived_at
    }
    milestone_form = next((f for f in milestone_forms.values() if f.is_bound), MilestoneForm(prefix="m"))
    unowned = None  # a step sent for a milestone the page offers no form for: its errors go above the table
    if posted == "milestone" and not milestone_form.is_bound:
        milestone_form = unowned = MilestoneForm(request.POST, prefix=f"m{posted_milestone}")
        if id_or_none(posted_milestone) not in {m.pk for m in milestones}:  # absent, or another case's
            unowned.add_error(None, _("Choose a milestone of this case."))
    bound = {"action": action_form, "close": close_form, "valuation": valuation_form, "milestone": milestone_form}
    form = bound.get(posted or "")
    # A form the page does not have (a tampered one, or none named): said above the page, nothing recorded.
    refused = ""
    if request.method == "POST" and form is None:
        refused = _("Invalid request: the case page has no form “%(form)s”.") % {"form": posted_name(posted)}
    if form is not None and form.is_valid():
        try:
            _case_post(request, case, posted or "", form.cleaned_data, current)
        except DomainError as exc:
            apply_error(form, exc)
        else:
            return redirect("casework:case", pk=pk)
    return render(
        request,
        "casework/case_detail.html",
        {
            "case": case,
            "action_form": action_form,
            "close_form": close_form,
            "valuation_form": valuation_form,
            "valuations": case.valuations.select_related("valued_by", "corrects"),
            "current_ids": {v.pk for v in current},
            "milestones": [
                {"m": m, "overdue": m.is_overdue(now), "form": milestone_forms.get(m.pk)} for m in milestones
            ],
            "threshold": smuggling.CONFISCATION_ONLY_MAX_RIAL,
            "fine_max": case.goods_value * smuggling.CARRIER_FINE_MAX_MULTIPLE,
            "money_kinds": (MilestoneKind.CARRIER_FINE, MilestoneKind.PAYMENT),
            "may_handle": casework.may_handle_case(request.user, case.declaration),
            "milestone_refused": unowned if unowned is not None and unowned.errors else None,
            "refused": refused,
        },
        status=400 if refused or (form is not None and form.errors) else 200,
    )


def _case_post(request, case: JudicialCase, posted: str, data: dict, current: list) -> None:
    """One of the case page's forms, through its service (a DomainError goes back to the form)."""
    if posted == "action":
        casework.case_add_action(case=case, by=request.user, **data)
        messages.success(request, _("Action recorded."))
    elif posted == "close":
        casework.case_close(case=case, by=request.user, **data)
        messages.success(request, _("Case closed."))
    elif posted == "valuation":
        corrects = next((v for v in current if v.pk == data.pop("corrects")), None)
        smuggling.case_value(case=case, by=request.user, corrects=corrects, **data)
        messages.success(request, _("Valuation recorded."))
    elif posted == "milestone":
        try:
            milestone = case.milestones.get(pk=int(request.POST.get("milestone", "")))
        except (ValueError, CaseMilestone.DoesNotExist):
            raise InvalidInput(_("Choose a milestone of this case."), fields={"milestone": "unknown"}) from None
        smuggling.milestone_done(milestone=milestone, by=request.user, **data)
        messages.success(request, _("Milestone recorded."))


@login_required
def milestone_list(request):
    """The statutory milestones of the cases in the user's scope: overdue first (the signal), or
    pending, done, all; each links to its case."""
    form, data = read_filters(MilestoneFilterForm, request)
    now = timezone.now()
    scoped = CaseMilestone.objects.for_user(request.user)
    counts = {"overdue": scoped.overdue(now).count(), "pending": scoped.pending().count()}
    context = {"states": MILESTONE_STATES, "counts": counts, "filter_form": form}
    if data is None:  # a state that is not one: said beside the tabs, no milestones (never all of them)
        return render(request, "casework/milestone_list.html", {**context, "rows": []}, status=400)
    state = data["state"] or "overdue"
    rows = scoped.select_related("case__declaration__origin", "case__office", "done_by")
    if state == "overdue":
        rows = rows.overdue(now).order_by("due_at", "pk")
    elif state == "pending":
        rows = rows.pending().order_by(F("due_at").asc(nulls_last=True), "pk")
    elif state == "done":
        rows = rows.filter(done_at__isnull=False).order_by("-done_at", "-pk")
    else:
        rows = rows.order_by("-created_at", "-pk")
    pages = numbered_page(request, rows)
    rows_shown = [{"m": m, "overdue": m.is_overdue(now)} for m in pages.rows]
    return render(
        request, "casework/milestone_list.html", {**context, "rows": rows_shown, "pages": pages, "state": state}
    )


# --- the destination's inbox -----------------------------------------------------------------


def inbox_filter(user, status: str, overdue: bool, now: dt.datetime):
    """The letters addressed to the user's offices, by the inbox's filters (page and API alike):
    ``status`` sent (awaiting the reply, the default), answered or all; ``overdue`` the replies
    past their due date."""
    letters = FollowUpLetter.objects.addressed_to(user).select_related("declaration", "from_office", "to_office")
    if overdue:
        letters = letters.reply_overdue(now)
    elif INBOX_STATUSES.get(status):
        letters = letters.filter(status=INBOX_STATUSES[status])
    return letters.by_reply_due()


@login_required
def inbox(request):
    """Letters addressed to the user's office(s), the reply due soonest first, overdue ones marked;
    each links to the letter, where the reply is recorded."""
    form, data = read_filters(InboxFilterForm, request)
    now = timezone.now()
    addressed = FollowUpLetter.objects.addressed_to(request.user)
    counts = {
        "sent": addressed.awaiting_reply().count(),
        "overdue": addressed.reply_overdue(now).count(),
        "answered": addressed.filter(status=LetterStatus.ANSWERED).count(),
    }
    context = {"counts": counts, "filter_form": form}
    if data is None:  # a filter that is not valid: said beside the tabs, no letters (never all of them)
        return render(request, "casework/inbox.html", {**context, "rows": [], "total": 0}, status=400)
    status, overdue = data["status"] or "sent", data["overdue"]
    pages = numbered_page(request, inbox_filter(request.user, status, overdue, now))
    rows = [
        {
            "letter": letter,
            "overdue": letter.status == LetterStatus.SENT and letter.reply_due_at and letter.reply_due_at < now,
            "may_answer": letter.status == LetterStatus.SENT and casework.may_record_answer(request.user, letter),
        }
        for letter in pages.rows
    ]
    return render(
        request,
        "casework/inbox.html",
        {
            **context,
            "rows": rows,
            "pages": pages,
            "total": pages.count,
            "status": status,
            "overdue": overdue,
        },
    )
