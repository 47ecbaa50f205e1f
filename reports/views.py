"""Pages of reports: monthly returns and their trend, inspections and their schedule, system problems.

Function views: scoped fetch, form, service (or a Celery task for heavy work), redirect.
"""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Case, Count, Q, Value, When
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.models import CustomsOffice, Province
from accounts.scoping import get_scoped_or_404
from core import exports as export_jobs
from core import jobs, uploads
from core.dates import (
    ASCII_DIGITS,
    jalali_month_bounds,
    jalali_month_of,
    month_name_label,
    page_month_label,
    previous_jalali_month,
)
from core.db_router import reads_from_replica
from core.errors import DomainError, FileRejected, http_status
from core.files import check_stored, serve_evidence, serve_export
from core.forms import (
    JalaliDateField,
    JalaliDateTimeField,
    JalaliMonthField,
    JalaliYearField,
    ListFilterForm,
    MultipleFileField,
    NameOrderedChoiceField,
    PageForm,
    apply_error,
    posted_name,
    read_filters,
)
from core.models import OutboxJob
from core.paging import numbered_page
from core.redirects import local_next
from core.templatetags.jalali import fa, num
from core.text import name_sort_key, strip_isolates, too_long
from declarations import idents
from declarations.models import TransitDeclaration

from . import exports, page_labels, parts, problems, returns, services
from .models import (
    CHECKLIST,
    BuildState,
    Check,
    Inspection,
    InspectionAttachment,
    LateChange,
    MonthlyReturn,
    ReturnBuild,
    ReturnStatus,
    Symptom,
    System,
    SystemProblem,
    newer_draft,
    replaced_by,
    sees_whole_returns,
    submitted_before,
    submitted_in,
)

# --- monthly returns --------------------------------------------------------------------------


class BuildForm(PageForm):
    """Defaults to the last complete month in the user's own scope (the nation for headquarters,
    the inspector's province); a month that has not ended needs the provisional box."""

    year = JalaliYearField(label=gettext_lazy("Jalali year"), min_value=1300, max_value=1500)
    month = JalaliMonthField(label=gettext_lazy("Jalali month"))
    province = NameOrderedChoiceField(
        label=gettext_lazy("province"),
        queryset=Province.objects.all(),
        required=False,
        empty_label=gettext_lazy("national"),
    )
    provisional = forms.BooleanField(
        label=gettext_lazy("Provisional: the month has not ended (figures up to now, not final)"),
        required=False,
    )

    def __init__(self, *args, user, **kwargs):
        year, month = previous_jalali_month(*jalali_month_of(timezone.now()))
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("year", year)
        initial.setdefault("month", month)
        super().__init__(*args, **kwargs)
        self.user = user
        if not user.is_national:
            self.fields["province"].queryset = Province.objects.filter(pk=user.province_id)
            self.fields["province"].empty_label = None  # the nation is not theirs to build
            self.initial["province"] = user.province_id

    def provisional_dropped(self) -> bool:
        """The box asked for a provisional return of a month that has ended: it is built final (the box has no
        effect there), and the person is told so."""
        data = self.cleaned_data
        return bool(data.get("provisional")) and jalali_month_bounds(data["year"], data["month"])[1] <= timezone.now()

    def clean_province(self):
        # Not chosen (a form posted without it): the user's own scope, as the API takes it.
        return self.cleaned_data.get("province") or services.own_return_scope(self.user)

    def clean(self):
        data = super().clean()
        if data.get("year") and data.get("month"):
            try:
                services.check_period(data["year"], data["month"], data.get("provisional", False))
            except DomainError as exc:
                apply_error(self, exc)
        return data


@login_required
@reads_from_replica
def return_list(request):
    returns_qs = (
        MonthlyReturn.objects.for_user(request.user)
        .select_related("province")
        .order_by(*MonthlyReturn._meta.ordering, "-id")  # a page never repeats or skips a return
    )
    may_build = services.may_build_some_return(request.user)
    if request.method == "POST" and not may_build:
        raise PermissionDenied(str(services.WHO_BUILDS_RETURNS))
    # Unbound, the form offers the month and scope last built from it (a person building several provinces' returns
    # in turn is not sent back to «national» after each one).
    form = BuildForm(request.POST or None, user=request.user, initial=dict(request.session.get("returns_form", {})))
    job, refused = None, 400
    if request.method == "POST" and form.is_valid():
        province = form.cleaned_data["province"]
        if not services.may_build_return(request.user, province):
            raise PermissionDenied(str(services.WHO_BUILDS_RETURNS))
        # Heavy: a Celery task builds it (in-process when no broker is configured).
        draft = services.return_draft(form.cleaned_data["year"], form.cleaned_data["month"], province)
        try:
            job = services.return_build_request(
                year=form.cleaned_data["year"],
                month=form.cleaned_data["month"],
                province=province,
                by=request.user,
                provisional=form.cleaned_data["provisional"],
            )
        except services.BuildInProgress as exc:
            form.add_error(None, format_html('{} <a href="{}">{}</a>', str(exc), exc.url, _("Open the returns list")))
            refused = 409
            # This page follows that build too, and refreshes itself when it is there.
            building = request.session.get("returns_building", [])
            if exc.build.key not in building:
                request.session["returns_building"] = [*building, exc.build.key][-5:]
    if job is not None:
        request.session["returns_form"] = {
            "year": form.cleaned_data["year"],
            "month": form.cleaned_data["month"],
            "province": province.pk if province is not None else None,
        }
        if draft is not None:  # the new build takes its place: said before it is there
            messages.info(request, services.draft_replaced_text(draft))
        if form.provisional_dropped():
            messages.warning(
                request,
                _(
                    "%(m)s has ended: its return is built final, not provisional "
                    "(the provisional box is for a month not ended)."
                )
                % {"m": page_month_label(form.cleaned_data["year"], form.cleaned_data["month"])},
            )
        if job.inline:  # no broker: built in this request
            messages.success(request, _("The return is built."))
        else:  # the worker builds it: the list says so and refreshes itself when it is there
            # (no flash message: the building notice on the list says it, once)
            request.session["returns_building"] = [*request.session.get("returns_building", []), job.task_id][-5:]
        return redirect("reports:returns")
    building = _returns_building(request)
    if request.GET.get("partial") == "building" and request.headers.get("HX-Request") == "true":
        response = render(request, "reports/_returns_building.html", {"building": building})
        if not building:
            response["HX-Refresh"] = "true"  # built (or failed): reload the list with it
        return response
    pages = numbered_page(request, returns_qs)
    late = dict(
        LateChange.objects.for_user(request.user)
        .filter(monthly_return__in=[r.pk for r in pages.rows])
        .values("monthly_return")
        .annotate(n=Count("id"))
        .values_list("monthly_return", "n")
    )
    # office staff: their office's part; each with the changes recorded in its period since it was submitted,
    # and the version that took its place
    replaced = replaced_by(pages.rows)
    rows = [(r, r.figures_for(request.user), late.get(r.pk, 0), replaced.get(r.pk)) for r in pages.rows]
    return render(
        request,
        "reports/return_list.html",
        {
            "returns": rows,
            "pages": pages,
            "form": form if may_build else None,
            "building": building,
            "office_label": _own_office_label(request.user),
            "submissions": _submissions(request.user),
        },
        status=refused if form.errors else 200,
    )


# How many finished months headquarters' table of submissions shows, the last first.
SUBMISSION_MONTHS = 3


def _submissions(user) -> dict | None:
    """For headquarters (a national reader): which provinces submitted their return for each of the last
    finished months, and which did not; None for anyone else."""
    if not user.is_national:
        return None
    months = [previous_jalali_month(*jalali_month_of(timezone.now()))]
    while len(months) < SUBMISSION_MONTHS:
        months.append(previous_jalali_month(*months[-1]))
    sent = submitted_in(months)
    provinces = sorted(Province.objects.all(), key=lambda p: name_sort_key(p.name))  # the page's language
    return {
        "months": [month_name_label(y, m) for y, m in months],
        "rows": [(province, [sent.get((y, m, province.pk)) for y, m in months]) for province in provinces],
    }


def _own_office_label(user) -> str:
    """The office whose part of a return office staff read, named in the page's language (the
    figures keep its Persian name for the documents)."""
    return user.office.name if user.office_id else ""


def _returns_building(request) -> list[str]:
    """Ids of the return builds this session started that the worker has not finished. A build the
    worker has taken is asked its row (``ReturnBuild``: queued again by the sweeper after a dead
    worker, or failed with its reason, said once); one not taken yet, its job: waiting in the outbox
    while the broker was down (``jobs.job_state``), else the result store; with the result store down
    too, the return itself in the list says it is built."""
    waiting = []
    ids = request.session.get("returns_building", [])
    builds = {b.key: b for b in ReturnBuild.objects.filter(key__in=ids)}
    for task_id in ids:
        build = builds.get(task_id)
        if build is not None:
            if build.state in (BuildState.QUEUED, BuildState.BUILDING):
                waiting.append(task_id)
            elif build.state == BuildState.FAILED:
                messages.error(
                    request,
                    _("The return of %(month)s could not be built: %(why)s")
                    % {"month": page_month_label(build.year, build.month), "why": build.error},
                )
            continue
        if jobs.job_state(task_id) in ("PENDING", "RECEIVED", "STARTED", "RETRY") and not _built(task_id):
            waiting.append(task_id)
    if waiting != request.session.get("returns_building", []):
        request.session["returns_building"] = waiting
    return waiting


def _built(task_id: str) -> bool:
    """The return a queued build makes is in the list (built by its user since it was queued)."""
    job = OutboxJob.objects.filter(task_id=task_id).first()
    if job is None or len(job.args) < 4:
        return False
    year, month, province_id, user_id = job.args[:4]
    return MonthlyReturn.objects.filter(
        year=year, month=month, province_id=province_id, built_by_id=user_id, built_at__gte=job.created_at
    ).exists()


def _get_return(request, pk: int) -> MonthlyReturn:
    try:
        return MonthlyReturn.objects.for_user(request.user).select_related("province").get(pk=pk)
    except MonthlyReturn.DoesNotExist:
        raise Http404("No monthly return matches the given query.") from None


class ReturnSubmitForm(PageForm):
    """The signer's word that they checked the return before it is signed for good: the page enforces it,
    the service (``services.return_submit``) does not ask."""

    confirmed = forms.BooleanField(
        error_messages={
            "required": gettext_lazy(
                "Tick this box to confirm you have checked the return: it is signed in your name and does not "
                "change afterwards."
            )
        }
    )

    def __init__(self, *args, snap: MonthlyReturn, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["confirmed"].label = (
            gettext_lazy("I have checked this return; once submitted to headquarters it does not change.")
            if snap.province_id
            else gettext_lazy("I have checked this return; once finalised it does not change.")
        )


def _may_submit(user, snap: MonthlyReturn) -> bool:
    """Whether the page offers ``user`` the submit form (a provisional draft is never submitted)."""
    return snap.status == ReturnStatus.DRAFT and not snap.provisional and services.may_build_return(user, snap.province)


@login_required
@reads_from_replica
def return_detail(request, pk: int):
    return _return_page(request, _get_return(request, pk))


def _return_page(request, snap: MonthlyReturn, *, submit_form: ReturnSubmitForm | None = None, status: int = 200):
    """The return's page; ``submit_form`` the submit form as posted (its error beside the box), else a new one
    where it is offered."""
    from .labels import in_name_order, place_label, standing_key

    may_submit = _may_submit(request.user, snap)

    f = snap.figures_for(request.user)  # office staff: their office's part only
    # The figures keep codes; the page names them in the reader's language (the files stay Persian).
    context = {
        "snap": snap,
        "f": f,
        "number": exports.return_number(f, snap.version),  # as its PDF's cover gives it
        "files": [
            ("xlsx", "XLSX", snap.xlsx_sha256),
            ("pdf", "PDF", snap.served_pdf()[1]),  # submitted: the signed one
            ("csv", "CSV", snap.csv_sha256),
        ],
        "sections": page_labels.SECTIONS,
        "balance": [
            (page_labels.label(page_labels.BALANCE, k), f[k], k in page_labels.BALANCE_PARTS)
            for k in page_labels.BALANCE
        ],
        "reasons": [(page_labels.label(page_labels.REASONS, k), v) for k, v in f["unsettled_by_reason"].items()],
        "ages": [(page_labels.label(page_labels.AGES, k), v) for k, v in f["unsettled_by_age"].items()],
        "may_submit": may_submit,
        "submit_form": (submit_form or ReturnSubmitForm(snap=snap)) if may_submit else None,
        # A provisional draft is never submitted: the button is shown disabled, with why, to whoever would submit.
        "submit_refused": (
            services.PROVISIONAL_NOT_SUBMITTED
            if snap.status == ReturnStatus.DRAFT
            and snap.provisional
            and services.may_build_return(request.user, snap.province)
            else None
        ),
        "replaced_by": replaced_by([snap]).get(snap.pk),
        "standing": page_labels.label(page_labels.STANDING, standing_key(f)),
        "milestone_heads": [page_labels.label(page_labels.MILESTONE_METRICS, m) for m in returns.MILESTONE_METRICS],
        # The section "Follow-up and cases": every figure the files give, under the files' own labels.
        "activity": [
            (section, key, str(text), _shown((None, f.get(section, {}).get(key))))
            for (section, key), text in page_labels.ACTIVITY.items()
        ]
        + [
            (section, part, str(text), _shown((None, (f.get(section, {}).get(part), f.get(section, {}).get(whole)))))
            for (section, part, whole), text in page_labels.PAIRS.items()
        ],
        "milestones": [
            (
                page_labels.label(page_labels.MILESTONE_KINDS, kind),
                [f["case_milestones"][kind][m] for m in returns.MILESTONE_METRICS],
            )
            for kind in [*returns.MILESTONE_KINDS, "total"]
            if kind in f.get("case_milestones", {})
        ],
        "until": dt.datetime.fromisoformat(f["end"]) if snap.provisional else None,
        # The anti-smuggling rules' own section (absent from a return built before it).
        "serial_rules": [
            (k, page_labels.label(page_labels.SERIAL_RULES, k), v) for k, v in f.get("rules_serials", {}).items()
        ],
        # Reused scans and their reviews (absent from a return built before it).
        "scan_reuse": [
            (k, page_labels.label(page_labels.SCAN_REUSE, k), v) for k, v in f.get("scan_reuse", {}).items()
        ],
    }
    if snap.status == ReturnStatus.DRAFT:
        # A version of the month already sent: submitting this one takes its place; what differs, said first.
        previous = submitted_before(snap)
        if previous is not None:
            context["previous"] = previous
            context["previous_by"] = _person(previous.submitted_by)
            if sees_whole_returns(request.user):
                # Every figure the page shows, not the balance alone: an inspection or a scan changes others.
                was, now = page_labels.headline(previous.figures), page_labels.headline(f)
                context["changes"] = [
                    ({**was, **now}[k][0], _shown(was.get(k)), _shown(now.get(k)))
                    for k in [*now, *(k for k in was if k not in now)]
                    if _value(was.get(k)) != _value(now.get(k))
                ]
    if snap.status == ReturnStatus.SUBMITTED:
        # A newer draft of the month waits to be submitted in this one's place.
        context["newer_draft"] = newer_draft(snap)
        # Changes dated inside its period since it was submitted: it stays as sent; a new version counts them.
        late = list(snap.late_changes.for_user(request.user).select_related("by", "inspection__office"))
        context["late_changes"] = late
        # An inspection is named with a link when the reader may open it (``Inspection.objects.for_user``).
        context["inspections_seen"] = set(
            Inspection.objects.for_user(request.user)
            .filter(pk__in=[c.inspection_id for c in late if c.inspection_id])
            .values_list("pk", flat=True)
        )
        context["may_rebuild"] = services.may_build_return(request.user, snap.province)
        if context["replaced_by"]:  # a later version counts them already: it is the one to read, not to build
            context["newest"] = (
                MonthlyReturn.objects.for_user(request.user)
                .filter(year=snap.year, month=snap.month, province_id=snap.province_id)
                .order_by("-version")
                .first()
            )
    if f.get("office"):
        office = CustomsOffice.objects.filter(code=f["office"]).first()
        context["office_name"] = office.name if office else f["office_name"]
    if f.get("provinces"):
        names = {p.code: p.name for p in Province.objects.all()}
        rows = in_name_order(f["provinces"], "province", names)  # the figures keep theirs (by code): sealed
        context["provinces"] = [{**p, "label": place_label(p["province"], names)} for p in rows]
    return render(request, "reports/return_detail.html", context, status=status)


def _value(item):
    return item[1] if item is not None else None


def _shown(item) -> str:
    """A figure as the page shows it: a number, or «part / whole»; a dash where the version had none."""
    v = _value(item)
    if v is None:
        return "—"
    if isinstance(v, tuple):
        return " / ".join(_shown((None, x)) for x in v)
    return num(v)


def _person(user) -> str:
    return (user.get_full_name() or user.username) if user is not None else ""


@login_required
@require_POST
def return_submit(request, pk: int):
    snap = _get_return(request, pk)
    form = ReturnSubmitForm(request.POST, snap=snap)
    # Unconfirmed where it could be submitted: the page again, the error beside the box. Anyone else's refusal
    # is the service's, said on the page it redirects to.
    if not form.is_valid() and _may_submit(request.user, snap):
        return _return_page(request, snap, submit_form=form, status=400)
    try:
        services.return_submit(monthly_return=snap, by=request.user)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        if snap.province_id is None:  # the national return is headquarters' own: finalised, sent to nobody
            messages.success(request, _("Finalised; this version can no longer change."))
        else:
            messages.success(request, _("Submitted to headquarters; this version can no longer change."))
    return redirect("reports:return", pk=pk)


RETURN_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
}


def _return_office_id(snap: MonthlyReturn) -> int | None:
    """The office a problem with a return's file is filed under: the province's first (a
    national return has none; the problem then takes its reporter's)."""
    if snap.province_id is None:
        return None
    offices = CustomsOffice.objects.filter(province_id=snap.province_id).order_by("code")
    return offices.values_list("pk", flat=True).first()


@login_required
def return_download(request, pk: int, fmt: str):
    """The stored file; for office staff, their office's part of it, made from the stored CSV (the
    snapshot's own list) and never stored: the CSV streams as it is read, the XLSX and PDF are built by
    the worker (an export job: the answer is the job's page)."""
    snap = _get_return(request, pk)
    pdf, pdf_sha256 = snap.served_pdf()  # submitted: the signed one
    field, sha256 = {
        "xlsx": (snap.xlsx, snap.xlsx_sha256),
        "pdf": (pdf, pdf_sha256),
        "csv": (snap.csv, snap.csv_sha256),
    }.get(fmt, (None, ""))
    if not field or not snap.csv:
        raise Http404("No such export.")
    if sees_whole_returns(request.user):
        scope = snap.province.code if snap.province else "IR"
        name = f"return-{snap.year}-{snap.month:02d}-{scope}-v{snap.version}.{fmt}"
        return serve_evidence(
            request,
            field,
            sha256=sha256,
            filename=name,
            content_type=RETURN_TYPES[fmt],
            as_attachment=True,
            office_id=lambda: _return_office_id(snap),
        )
    part = snap.figures_for(request.user)
    office = part["office"]
    if fmt in parts.JOB_FORMATS:
        query = parts.job_query(snap, office)
        job = export_jobs.start(request, kind=parts.KIND, fmt=fmt, query=query)
        return redirect("core:export-job", pk=job.pk)
    # The part is made from the stored CSV: never from one altered since it was built.
    refusal = check_stored(request, snap.csv, sha256=snap.csv_sha256, office_id=request.user.office_id)
    if refusal is not None:
        return refusal
    response = StreamingHttpResponse(parts.csv_lines(snap, part), content_type=RETURN_TYPES[fmt])
    return serve_export(request, response, subject=snap, filename=parts.filename(snap, office, fmt), office=office)


def trend_data(user, province: Province | None) -> dict:
    """Each month's return in scope as the charts draw it, oldest first: its newest submitted version (the
    figures sent to headquarters), else its newest draft; never a replaced draft, and never a provisional
    return (figures of a month not ended, submitted or not: a month is plotted only once it has ended)."""
    submitted_first = Case(When(status=ReturnStatus.SUBMITTED, then=Value(0)), default=Value(1))
    qs = _trend_returns(user, province).order_by("year", "month", submitted_first, "-version")
    latest: dict[tuple[int, int], MonthlyReturn] = {}
    for snap in qs.only("year", "month", "version", "figures"):
        latest.setdefault((snap.year, snap.month), snap)
    months = sorted(latest)
    figures = {ym: latest[ym].figures_for(user) for ym in months}  # office staff: their office's part
    keys = ["opening", "new", "settled", "closed_after_case", "cancelled", "closing"]
    return {
        "labels": [page_month_label(y, m) for y, m in months],  # the chart's axis, in the page's language
        "series": {k: [figures[ym].get(k, 0) for ym in months] for k in keys},
        "over_40": [figures[ym]["unsettled_by_age"]["over_40"] for ym in months],
        # the legend: each series named as the return names its figure, in the request's language
        "names": {k: page_labels.label(page_labels.BALANCE, k) for k in keys}
        | {"over_40": page_labels.label(page_labels.AGES, "over_40")},
    }


def _trend_returns(user, province: Province | None):
    """The returns a trend draws from (``trend_data``)."""
    return (
        MonthlyReturn.objects.for_user(user)
        .filter(province=province)
        .exclude(status=ReturnStatus.REPLACED)
        .exclude(provisional=True)
    )


def own_province_id(user) -> int | None:
    """The province whose returns a non-national user reads: an inspector's, or their office's."""
    return user.province_id or (user.office.province_id if user.office_id else None)


class TrendFilterForm(ListFilterForm):
    """``?province=CODE``: for a national user any province, or none for the national trend; for anyone
    else their own province only (their trend when none is given). A code that is none of those (mistyped,
    another province's) is refused beside the filter, never answered with another trend in its place."""

    province = NameOrderedChoiceField(
        label=gettext_lazy("province"),
        queryset=Province.objects.none(),
        to_field_name="code",
        required=False,
        error_messages={"invalid_choice": gettext_lazy("No province with this code in your scope.")},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        own = own_province_id(user)
        self.fields["province"].queryset = (
            Province.objects.all()
            if user.is_national
            else Province.objects.filter(pk=own)
            if own
            else Province.objects.none()
        )

    def trend_province(self, user) -> Province | None:
        """The trend's province (valid form): the one chosen, or a non-national user's own (never "national",
        which they cannot read); None is the national trend."""
        chosen = self.cleaned_data["province"]
        if chosen is not None or user.is_national:
            return chosen
        own = own_province_id(user)
        return Province.objects.filter(pk=own).first() if own else None


def _by_name(provinces) -> list[Province]:
    """Provinces in the order of their names in the page's language (``core.text.name_sort_key``), as every list
    of them is."""
    return sorted(provinces, key=lambda p: name_sort_key(p.name))


@login_required
@reads_from_replica
def trend(request):
    form, data = read_filters(TrendFilterForm, request, user=request.user)
    province = form.trend_province(request.user) if data is not None else None
    provinces = _by_name(Province.objects.all()) if request.user.is_national else [province] if province else []
    if data is None:  # no trend (the national one or the user's own would be taken for the one asked)
        provinces = _by_name(form.fields["province"].queryset)
        return render(request, "reports/trend.html", {"filter_form": form, "provinces": provinces}, status=400)
    # The months drawn: those whose return has been built (the page says so, and how many); none yet, the page
    # says what to do, with no empty chart area above the words.
    months = _trend_returns(request.user, province).order_by().values("year", "month").distinct().count()
    return render(
        request,
        "reports/trend.html",
        {
            "filter_form": form,
            "province": province,
            # office staff: the figures drawn are their office's part (``figures_for``), the title says whose
            "office": "" if sees_whole_returns(request.user) else _own_office_label(request.user),
            "provinces": provinces,
            "has_data": bool(months),
            "months": months,
            "may_build": services.may_build_some_return(request.user),
        },
    )


# --- inspections ------------------------------------------------------------------------------


class InspectionForm(PageForm):
    office = NameOrderedChoiceField(label=gettext_lazy("office"), queryset=CustomsOffice.objects.none())
    inspected_on = JalaliDateField(label=gettext_lazy("inspected on (Jalali)"))
    findings = forms.CharField(
        label=gettext_lazy("findings"),
        required=False,
        max_length=services.INSPECTION_FINDINGS_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    attachments = MultipleFileField(label=gettext_lazy("attachments (PDF, JPEG, PNG)"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        offices = services.offices_for(user)
        field = self.fields["office"]
        field.queryset = offices
        # A person of one office files under it: chosen already, no blank to pick first.
        if user.office_id and offices.filter(pk=user.office_id).exists():
            field.initial = user.office_id
        if offices.count() == 1:
            field.empty_label = None
        for name, label in CHECKLIST.items():
            self.fields[name] = forms.ChoiceField(label=label, choices=Check.choices, widget=forms.RadioSelect)
        if self.data.get(self.SECOND_OF_DAY):
            self.offer_second_of_day()

    # Every bad field is said at once, beside itself; the service checks the same again (the API).
    date_typed: dt.date | None = None  # the actions' due dates are held against it, even when it is refused
    file_status = 400  # a refused file answers with its own status (413, 415), as the service's refusal did

    SECOND_OF_DAY = "second_of_day"

    def offer_second_of_day(self) -> None:
        """The box «a second inspection that day», beside the date: offered once the date was refused for an
        inspection already on record that day (``services.InspectionSameDay``), and kept while ticked."""
        self.fields[self.SECOND_OF_DAY] = forms.BooleanField(
            label=gettext_lazy("This is a second inspection on the same day"), required=False
        )
        order = list(self.fields)
        order.remove(self.SECOND_OF_DAY)
        order.insert(order.index("inspected_on") + 1, self.SECOND_OF_DAY)
        self.order_fields(order)

    def clean_inspected_on(self):
        self.date_typed = on = self.cleaned_data["inspected_on"]
        if error := services.inspected_on_error(on):
            raise forms.ValidationError(error)
        return on

    def clean_attachments(self):
        errors = []
        for f in self.cleaned_data["attachments"]:
            try:
                services.check_attachment(f)
            except FileRejected as exc:
                errors.append(str(exc))
                if self.file_status == 400:  # the first refused file's
                    self.file_status = exc.status
        if errors:
            raise forms.ValidationError(errors)
        return self.cleaned_data["attachments"]

    def clean(self):
        data = super().clean()
        answers = [data[name] for name in CHECKLIST if name in data]
        if "findings" in data and (error := services.findings_error(answers, data["findings"])):
            self.add_error("findings", error)
        return data


class ActionForm(PageForm):
    """One follow-up action; a row left empty on the inspection form is skipped. There (``optional_row``) no
    field is marked required: a row is needed only once something of it is typed, and then each field left
    empty says so beside itself."""

    description = forms.CharField(label=gettext_lazy("action"), widget=forms.Textarea(attrs={"rows": 2}))
    responsible_office = NameOrderedChoiceField(
        label=gettext_lazy("responsible office"), queryset=CustomsOffice.objects.none()
    )
    due_on = JalaliDateField(label=gettext_lazy("due on (Jalali)"))

    def __init__(self, *args, user, inspected_on=None, optional_row=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.inspected_on = inspected_on
        self.optional_row = optional_row
        self.fields["responsible_office"].queryset = services.offices_for(user)
        if optional_row:
            for field in self.fields.values():
                field.required = False

    def clean_description(self):
        if error := too_long(self.cleaned_data["description"].strip(), services.ACTION_DESCRIPTION_MAX):
            raise forms.ValidationError(error)
        return self.cleaned_data["description"]

    def clean(self):
        data = super().clean()
        if self.optional_row:  # a row begun: each of its fields is needed
            for name, field in self.fields.items():
                if name not in self.errors and data.get(name) in field.empty_values:
                    self.add_error(name, forms.ValidationError(field.error_messages["required"], code="required"))
        due_on = data.get("due_on")
        if due_on and self.inspected_on and (error := services.due_on_error(due_on, self.inspected_on)):
            self.add_error("due_on", error)
        return data

    def action_input(self) -> services.ActionInput:
        data = self.cleaned_data
        return services.ActionInput(
            description=data["description"], responsible_office=data["responsible_office"], due_on=data["due_on"]
        )


ActionFormSet = forms.formset_factory(ActionForm, extra=3, max_num=20, validate_max=True)


def action_formset(request, user, inspected_on: dt.date | None = None):
    """The inspection form's action rows (prefix ``actions``), each due date held against the
    inspection's ``inspected_on``; a post without them (an API-like client, an old page) has none."""
    data = request.POST if request.method == "POST" and "actions-TOTAL_FORMS" in request.POST else None
    return ActionFormSet(
        data, prefix="actions", form_kwargs={"user": user, "inspected_on": inspected_on, "optional_row": True}
    )


class ScheduleFilterForm(ListFilterForm):
    """``?due=due`` (overdue or never inspected: the dashboard's «inspections due»), ``?due=soon``; all when
    not given."""

    due = forms.ChoiceField(
        label=gettext_lazy("state"),
        required=False,
        choices=[("", "—"), ("due", gettext_lazy("due")), ("soon", gettext_lazy("due soon"))],
    )


@login_required
def inspection_list(request):
    form, data = read_filters(ScheduleFilterForm, request)
    schedule = services.inspection_schedule(request.user)
    due = data["due"] if data is not None else ""
    if due:
        schedule = [r for r in schedule if r["state"] in services.SCHEDULE_FILTERS[due]]
    pages = numbered_page(request, Inspection.objects.for_user(request.user).select_related("office", "inspector"))
    return render(
        request,
        "reports/inspection_list.html",
        {
            "inspections": pages.rows,
            "pages": pages,
            "schedule": schedule if data is not None else [],  # a filter not valid: no offices, never all
            "due": due,
            "filter_form": form,
            "interval": services.inspection_interval_days(),
        },
        status=200 if data is not None else 400,
    )


@login_required
def inspection_new(request):
    """Only those who inspect get the form (office staff are never offered one they cannot send)."""
    if not services.may_record_inspections(request.user):
        raise PermissionDenied(str(services.WHO_INSPECTS))
    form = InspectionForm(request.POST or None, request.FILES or None, user=request.user)
    form_ok = request.method == "POST" and form.is_valid()
    actions = action_formset(request, request.user, inspected_on=form.date_typed)
    status = form.file_status
    actions_ok = not actions.is_bound or actions.is_valid()
    if form_ok and actions_ok:
        data = form.cleaned_data
        rows = [f.action_input() for f in actions.forms if f.is_bound and f.has_changed()] if actions.is_bound else []
        try:
            inspection = services.inspection_record(
                office=data["office"],
                by=request.user,
                inspected_on=data["inspected_on"],
                checklist={name: data[name] for name in CHECKLIST},
                findings=data["findings"],
                attachments=data["attachments"],
                actions=rows,
                second_of_day=bool(data.get(form.SECOND_OF_DAY)),
            )
        except services.InspectionSameDay as exc:
            form.offer_second_of_day()
            form.add_error("inspected_on", exc.html())
            status = 409
        except services.InspectionAlreadyRecorded as exc:
            form.add_error(None, exc.html())
            status = 409
        except DomainError as exc:
            index = exc.fields.get("actions")
            changed = [f for f in actions.forms if f.has_changed()] if actions.is_bound else []
            apply_error(changed[index] if isinstance(index, int) and index < len(changed) else form, exc)
            status = getattr(exc, "status", 400)  # a refused file: 413 or 415
        else:
            messages.success(request, _("Inspection recorded."))
            return redirect("reports:inspection", pk=inspection.pk)
    has_errors = bool(form.errors) or (actions.is_bound and not actions_ok) or any(f.errors for f in actions.forms)
    return render(
        request,
        "reports/inspection_new.html",
        {"form": form, "actions": actions},
        status=status if has_errors else 200,
    )


@login_required
def inspection_detail(request, pk: int):
    """The inspection with its follow-up actions; whoever may inspect the office adds actions, and
    the responsible office (or the inspector, HQ) marks them done."""
    inspection = get_scoped_or_404(Inspection.objects.select_related("office", "inspector"), request.user, pk=pk)
    may_add = services.may_inspect(request.user, inspection.office)
    add_form = (
        ActionForm(request.POST or None, user=request.user, inspected_on=inspection.inspected_on, prefix="new")
        if may_add
        else None
    )
    refused = 400
    if request.method == "POST":
        if add_form is None:
            raise PermissionDenied(str(services.WHO_INSPECTS))
        if add_form.is_valid():
            try:
                services.inspection_action_add(inspection=inspection, by=request.user, action=add_form.action_input())
            except DomainError as exc:
                apply_error(add_form, exc)
                refused = http_status(exc)  # the same action sent twice: 409
            else:
                messages.success(request, _("Follow-up action added."))
                return redirect("reports:inspection", pk=pk)
    checks = [(label, getattr(inspection, f"get_{name}_display")()) for name, label in CHECKLIST.items()]
    today = timezone.localdate()
    action_rows = [
        {
            "action": a,
            "overdue": a.is_overdue(today),
            "may_complete": a.done_at is None and services.may_complete_action(request.user, a),
        }
        for a in inspection.actions.select_related("responsible_office", "done_by", "inspection__office")
    ]
    return render(
        request,
        "reports/inspection_detail.html",
        {"inspection": inspection, "checks": checks, "action_rows": action_rows, "add_form": add_form},
        status=refused if add_form is not None and add_form.errors else 200,
    )


@login_required
def attachment_download(request, pk: int):
    att = InspectionAttachment.objects.select_related("inspection__office").filter(pk=pk).first()
    if att is None or not request.user.can_see_office(att.inspection.office) or not request.user.is_active:
        raise Http404("No attachment matches the given query.")
    filename, content_type, as_attachment = uploads.served_as(
        att.file.name, filename=att.name, download=request.GET.get("download") == "1"
    )
    return serve_evidence(
        request,
        att.file,
        sha256=att.sha256,
        filename=filename,
        content_type=content_type,
        as_attachment=as_attachment,
        office_id=att.inspection.office_id,
    )


# --- system problems --------------------------------------------------------------------------


class ProblemForm(PageForm):
    system = forms.ChoiceField(label=gettext_lazy("system"), choices=System.choices)
    symptom = forms.ChoiceField(label=gettext_lazy("symptom"), choices=Symptom.choices)
    office = NameOrderedChoiceField(label=gettext_lazy("office"), queryset=CustomsOffice.objects.none())
    # A date alone would be stored as 00:00: the time is asked for, as a case's discovery time is.
    since = JalaliDateTimeField(
        label=gettext_lazy("since"), help_text=gettext_lazy("Jalali date and time, Tehran time."), time_required=True
    )
    # The limits are checked here and by the service, with the lengths said (no max_length: its message
    # says only the limit); the browser's maxlength stops typing past them.
    description = forms.CharField(
        label=gettext_lazy("description"),
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": services.PROBLEM_DESCRIPTION_MAX}),
    )
    serials = forms.CharField(
        label=gettext_lazy("declarations affected (serials, one a line)"),
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 3, "maxlength": services.PROBLEM_SERIALS_MAX, "dir": "ltr", "spellcheck": "false"}
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        offices = services.offices_for(user)
        field = self.fields["office"]
        field.queryset = offices
        # A person of one office files under it: chosen already, no blank to pick first.
        if user.office_id and offices.filter(pk=user.office_id).exists():
            field.initial = user.office_id
        if offices.count() == 1:
            field.empty_label = None

    def clean_description(self):
        if error := services.description_error(self.cleaned_data["description"]):
            raise forms.ValidationError(error)
        return self.cleaned_data["description"]

    def clean_since(self):
        if error := services.since_error(self.cleaned_data["since"]):
            raise forms.ValidationError(error)
        return self.cleaned_data["since"]

    def clean_serials(self):
        if error := too_long(self.cleaned_data["serials"], services.PROBLEM_SERIALS_MAX):
            raise forms.ValidationError(error)
        # One serial a line (commas too); a line is a serial as typed, in any digits, never cut into words.
        typed = re.split(r"[\n,،;؛]+", strip_isolates(self.cleaned_data["serials"]).translate(ASCII_DIGITS))
        serials = list(dict.fromkeys(line.strip() for line in typed if line.strip()))
        # In either case: «1404-amr-00001020» is the serial «1404-AMR-00001020» (a query over at most the field's
        # length's worth of serials).
        same_serial = Q(pk__in=[])
        for serial in serials:
            same_serial |= Q(serial__iexact=serial)
        found = list(TransitDeclaration.objects.for_user(self.user).filter(same_serial)) if serials else []
        have = {d.serial.casefold() for d in found}
        missing = [s for s in serials if s.casefold() not in have]
        if missing:
            shown = idents.list_separator().join(idents.serial_text(s[:40]) for s in missing[:10])
            raise forms.ValidationError(_("Not found in your scope: %(s)s") % {"s": shown})
        return found


def _is_it(user) -> bool:
    return services.may_handle_problems(user)


@login_required
def problem_list(request):
    """The IT office's queue: a tab per state with its count, open problems oldest first; IT
    acknowledges and resolves from the list; ``?format=csv`` streams the tab's CSV, ``?format=xlsx`` asks
    the worker for its XLSX (an export job: the answer is the job's page). A filter that is not valid is
    the page saying so beside the tabs, with no problems (400): never every problem, shown or exported, in
    place of the tab asked for."""
    form, data = read_filters(problems.QueueFilterForm, request)
    counts = problems.counts(request.user)
    context = {
        "tabs": [(key, problems.tab_label(key), counts[key]) for key in problems.TABS],
        "is_it": _is_it(request.user),
        "next": request.get_full_path(),
        "filter_form": form,
    }
    if data is None:
        return render(request, "reports/problem_list.html", {**context, "problems": [], "total": 0}, status=400)
    tab, fmt = data["status"] or problems.OPEN, data["format"]
    rows = problems.queue(request.user, tab)
    if fmt == "xlsx":
        job = export_jobs.start(request, kind=problems.EXPORT_KIND, fmt="xlsx", query=urlencode({"status": tab}))
        return redirect("core:export-job", pk=job.pk)
    if fmt == "csv":
        return _problems_csv(request, rows, tab)
    pages = numbered_page(request, rows)
    return render(
        request,
        "reports/problem_list.html",
        {**context, "problems": pages.rows, "pages": pages, "status": tab, "total": pages.count},
    )


def _problems_csv(request, rows, tab: str):
    """The tab as CSV, streamed as it is read (constant memory, up to ``problems.EXPORT_LIMIT``); audited."""
    language = translation.get_language()

    def stream():
        with translation.override(language):  # the generator runs after the view returns
            yield from problems.csv_lines(rows)

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    return serve_export(
        request, response, subject=SystemProblem, filename=problems.filename(tab, "csv"), query=request.GET.urlencode()
    )


@login_required
def problem_new(request):
    form = ProblemForm(request.POST or None, user=request.user)
    refused = 400
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            problem = services.problem_report(
                by=request.user,
                system=data["system"],
                symptom=data["symptom"],
                office=data["office"],
                since=data["since"],
                description=data["description"],
                declarations=data["serials"],
            )
        except services.ProblemAlreadyReported as exc:
            form.add_error(None, exc.html())
            refused = 409
        except DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Reported to the IT office."))
            return redirect("reports:problem", pk=problem.pk)
    return render(request, "reports/problem_new.html", {"form": form}, status=refused if form.errors else 200)


class ResolveForm(PageForm):
    # Not required here: the service says what is missing (one message, page and API alike).
    # The limit as a description's (checked here and by the service, the lengths said); the browser's
    # maxlength stops typing past it.
    resolution = forms.CharField(
        label=gettext_lazy("resolution"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": services.PROBLEM_RESOLUTION_MAX}),
    )

    def clean_resolution(self):
        if error := too_long(self.cleaned_data["resolution"].strip(), services.PROBLEM_RESOLUTION_MAX):
            raise forms.ValidationError(error)
        return self.cleaned_data["resolution"]


@login_required
def problem_detail(request, pk: int):
    """The problem; for IT, acknowledge and resolve. A refused action shows the page (or, to htmx,
    the actions block) again with the form, its text and the error beside the field, status 400; so does
    an action the page does not have (a tampered form), naming it, with nothing done."""
    problem = get_scoped_or_404(
        SystemProblem.objects.select_related("office", "assigned_to", "reported_by"), request.user, pk=pk
    )
    form = ResolveForm(request.POST if request.method == "POST" else None)
    htmx = request.headers.get("HX-Request") == "true"
    if request.method == "POST":
        status = 400
        action = request.POST.get("action", "")
        try:
            if action == "acknowledge":
                services.problem_acknowledge(problem=problem, by=request.user)
                messages.success(request, _("Problem #%(n)s acknowledged; it is assigned to you.") % {"n": fa(pk)})
            elif action == "resolve":
                if form.is_valid():
                    services.problem_resolve(
                        problem=problem, by=request.user, resolution=form.cleaned_data["resolution"]
                    )
                    messages.success(request, _("The problem is resolved."))
            else:
                form.add_error(
                    None,
                    _("Invalid request: a system problem has no action “%(action)s”.")
                    % {"action": posted_name(action)},
                )
        except DomainError as exc:
            apply_error(form, exc)
            status = http_status(exc)
        if not form.errors:
            # Back to the queue when the action was taken from it (a local path only).
            back = local_next(request, request.POST.get("next")) or reverse("reports:problem", args=[pk])
            if htmx:  # a whole page for the new state, not a page inside the block
                return HttpResponse(headers={"HX-Redirect": back})
            return redirect(back)
        problem.refresh_from_db()  # the state another officer may have moved it to
    else:
        status = 200
    context = {"problem": problem, "form": form, "is_it": _is_it(request.user)}
    if htmx and form.errors:
        return render(request, "reports/_problem_actions.html", context, status=status)
    # Each affected declaration links to its page when the reader may open it (two queries).
    affected = list(problem.declarations.order_by("serial"))
    mine = set(
        TransitDeclaration.objects.for_user(request.user)
        .filter(pk__in=[d.pk for d in affected])
        .values_list("pk", flat=True)
    )
    for d in affected:
        d.in_scope = d.pk in mine  # type: ignore[attr-defined]
    context["affected"] = affected
    return render(request, "reports/problem_detail.html", context, status=status)
