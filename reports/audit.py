"""The audit trail page: headquarters and the IT office browse, filter and export who did what.

Never a reader's own entries (``core.audit.visible_to``); nobody changes any. The export (CSV or XLSX,
up to ``EXPORT_LIMIT`` entries) is built by the worker as an export job (``core.exports``): asking for
it and downloading it are recorded (``core.audit.record_access``); it is formula-safe (``declarations.cells``).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterable
from typing import Any, cast
from urllib.parse import parse_qsl

from auditlog.models import LogEntry
from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.models import Role
from anpr.models import PlateRead
from core import audit, exports, xlsx
from core.dates import TEHRAN, ascii_digits, format_jalali
from core.files import export_filename
from core.forms import JalaliDateField, PageForm, check_range, id_or_none
from core.models import ExportJob, Via
from core.text import digits, folded, headings, is_persian, isolate
from declarations.audit_text import ChangeWriter, event_title
from declarations.cells import SafeCsvWriter, safe_row
from declarations.idents import camera_text, plate_text, serial_text
from declarations.models import ArrivalConfirmation, DeclarationEvent, ImportBatch
from scans.models import Scan

from .audit_related import declaration_named, entries_about, return_entries

PAGE_SIZE = 50
EXPORT_LIMIT = 100_000
EXPORT_KIND = "audit"
CHUNK = 2000


def may_read_audit(user) -> bool:
    return bool(user.is_authenticated and user.is_active and (user.is_superuser or user.role in (Role.HQ, Role.IT)))


def _models():
    kinds = ContentType.objects.filter(pk__in=LogEntry.objects.values("content_type_id").distinct())
    return sorted(
        ((str(ct.pk), str(ct.model_class()._meta.verbose_name) if ct.model_class() else ct.model) for ct in kinds),
        key=lambda c: c[1],
    )


class AuditFilterForm(PageForm):
    # A username, a serial or an id keep the order they are typed in (a right-to-left box shows
    # «1405-BZG-00011045» as «BZG-00011045-1405»); words typed read right to left (``dir="auto"``).
    actor = forms.CharField(
        label=gettext_lazy("actor (name or username)"),
        required=False,
        max_length=150,
        widget=forms.TextInput(attrs={"dir": "auto", "spellcheck": "false"}),
    )
    action = forms.TypedChoiceField(
        label=gettext_lazy("action"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "—"), *LogEntry.Action.choices],
    )
    model = forms.ChoiceField(label=gettext_lazy("kind of record"), required=False)
    object = forms.CharField(
        label=gettext_lazy("object (id or text)"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"dir": "auto", "spellcheck": "false"}),
    )
    via = forms.ChoiceField(label=gettext_lazy("interface"), required=False, choices=[("", "—"), *Via.choices])
    date_from = JalaliDateField(label=gettext_lazy("from"), required=False)
    date_to = JalaliDateField(label=gettext_lazy("to"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["model"].choices = [("", "—"), *_models()]

    def clean(self):
        data = super().clean()
        check_range(self, "date_from", "date_to")  # by day, both counted: the same day twice is that day
        return data


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=TEHRAN)


def entries_for(user, data: dict):
    """The entries ``user`` may read, filtered by the form's cleaned ``data``, newest first."""
    return _filtered(audit.visible_to(LogEntry.objects.all(), user), user, data)


def own_entries_for(user, data: dict):
    """The entries the same filters find that ``user`` may not read because they are their own
    (``core.audit.visible_to``): the page counts them, never lists them."""
    return _filtered(audit.own_of(LogEntry.objects.all(), user), user, data)


def _filtered(qs, user, data: dict):
    qs = qs.select_related("content_type", "seal")
    if actor := (data.get("actor") or "").strip():
        qs = qs.filter(_actor_q(actor))
    if data.get("action") is not None:
        qs = qs.filter(action=data["action"])
    if data.get("model"):
        qs = qs.filter(content_type_id=int(data["model"]))
    if text := (data.get("object") or "").strip():
        # A declaration's serial: every entry about it, on its own row or on the rows that belong to it
        # (``audit_related``: index lookups, no scan of the entries' text).
        if (declaration := declaration_named(user, text)) is not None:
            about = entries_about(declaration)
            # A serial of digits alone is searched as a row's id too, as the field always searched digits.
            qs = qs.filter(about | Q(object_pk=text) if text.isdigit() else about)
        elif (about_return := return_entries(text)) is not None:
            qs = qs.filter(about_return)
        else:
            qs = qs.filter(object_pk=text) if text.isdigit() else qs.filter(object_repr__icontains=text)
    if data.get("via"):
        qs = qs.filter(seal__via=data["via"])
    if data.get("date_from"):
        qs = qs.filter(timestamp__gte=_day_start(data["date_from"]))
    if data.get("date_to"):
        qs = qs.filter(timestamp__lt=_day_start(data["date_to"] + dt.timedelta(days=1)))
    return qs.order_by("-id")


def _actor_q(text: str) -> Q:
    """Entries by the login name ``text`` is part of, or by a person whose first, last or full name it is part of
    (the page shows people by name): an entry keeps the login name of its time (``seal.actor_name``), so names
    lead to login names through the user table. Compared as ``core.text.folded`` writes both (ي/ی, ك/ک,
    digits of any script); the users are few, read in one query."""
    wanted = folded(text)
    users = get_user_model().objects.values_list("username", "first_name", "last_name")
    names = [
        username for username, first, last in users if wanted in folded(username) or wanted in folded(f"{first} {last}")
    ]
    return Q(seal__actor_name__icontains=text) | Q(seal__actor_name__in=names)


def _readable(request):
    """The filter form and its cleaned data; None for the data when a filter is not valid (the page
    says which, 400: never the whole trail in place of the part asked for)."""
    if not may_read_audit(request.user):
        raise PermissionDenied(_("Only headquarters and the IT office read the audit trail."))
    form = AuditFilterForm(request.GET or None)
    if not form.is_bound:
        return form, {}
    return form, (form.cleaned_data if form.is_valid() else None)


def _refused(request, form):
    """The page with the filters' errors beside their fields and no entries (400)."""
    return render(
        request,
        "reports/audit_list.html",
        {"form": form, "entries": [], "older": None, "query": "", "first_page": True, "invalid": True},
        status=400,
    )


def _rows_of(entry: LogEntry) -> type[models.Model] | None:
    """The model of an entry about a kind of rows, not one row (a person-file search over the drivers): its
    ``object_repr`` is the kind's name in the language of whoever asked (``core.audit.record_access``)."""
    if entry.object_pk or not entry.content_type_id:
        return None
    model = entry.content_type.model_class()
    return model if model is not None and model is not LogEntry else None


def _kind(entry: LogEntry) -> str:
    if _released(entry) is not None:
        return _("login lock-out")
    if (rows := _rows_of(entry)) is not None:
        return str(rows._meta.verbose_name_plural)
    model = entry.content_type.model_class() if entry.content_type_id else None
    return str(model._meta.verbose_name) if model else (entry.content_type.model if entry.content_type_id else "")


def _role(seal) -> str:
    if seal is None or not seal.actor_role:
        return ""
    names = []
    for code in seal.actor_role.split("+"):  # "hq+superuser": a superuser's role and the flag (core.audit.who)
        if code == "superuser":
            names.append(_("superuser"))
            continue
        try:
            names.append(str(Role(code).label))
        except ValueError:  # a role that no longer exists: its code, as recorded
            names.append(code)
    return "، ".join(names) if is_persian() else ", ".join(names)


# An access's details are stored as written (English keys and codes: the record is evidence); they
# are shown in the page's language. A key or code not listed here is shown as stored.
DETAIL_LABELS = {
    "access": gettext_lazy("access"),
    "username": gettext_lazy("username"),
    "ip_address": gettext_lazy("address"),
    "query": gettext_lazy("searched for"),
    "found": gettext_lazy("found"),
    "format": gettext_lazy("format"),
    "filters": gettext_lazy("filters"),
    "filename": gettext_lazy("file name"),
    "file": gettext_lazy("stored file"),
    "sha256": gettext_lazy("SHA-256"),
    "outcome": gettext_lazy("outcome"),
    "kind": gettext_lazy("kind"),
    "attempts": gettext_lazy("attempts"),
    "attempt": gettext_lazy("attempt"),
    "why": gettext_lazy("why"),
    "released": gettext_lazy("released"),
    "principal": gettext_lazy("principal"),
    "via": gettext_lazy("via"),
    "rows": gettext_lazy("rows"),
    "asked_by": gettext_lazy("asked by"),
    "params": gettext_lazy("parameters"),
    "report": gettext_lazy("report"),
    "reason": gettext_lazy("reason"),
}
# Details that name a person by id (an export's asker): written by the person's name.
PERSON_DETAILS = frozenset({"asked_by"})
VALUE_LABELS = {
    "login": gettext_lazy("login"),
    "logout": gettext_lazy("logout"),
    "login failed": gettext_lazy("login failed"),
    "locked out": gettext_lazy("locked out"),
    "login lock-out": gettext_lazy("login lock-out"),
    "export": gettext_lazy("export"),
    "download": gettext_lazy("download"),
    "person file": gettext_lazy("person file search"),
    "job_failed": gettext_lazy("job failed"),
    "job_requeued": gettext_lazy("job re-queued"),
    "signed URL": gettext_lazy("signed URL"),
    "refused: altered": gettext_lazy("refused: altered"),
    "export_requested": gettext_lazy("export requested"),
    "export_built": gettext_lazy("export built"),
}


def _detail_value(entry: LogEntry, key: str, value) -> str:
    if key == "access" and isinstance(value, str) and value not in VALUE_LABELS:
        # a download names the file field it served: its label, e.g. "download: original scan"
        model = entry.content_type.model_class() if entry.content_type_id else None
        try:
            field = model._meta.get_field(value) if model else None
        except Exception:
            field = None
        if field is not None:
            return f"{VALUE_LABELS['download']}: {getattr(field, 'verbose_name', value)}"
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    comma = "، " if is_persian() else ", "
    if key == "query" and isinstance(value, str) and "=" in value:
        # a page's filters as its address carried them («from=%DB%B1…»): each "name=value" as typed, so that
        # the line can be read and wraps; on an English page in Latin digits (a date typed on a Persian page
        # read «from=۱۴۰۵/۰۸/۱۷» there)
        shown = (lambda typed: typed) if is_persian() else ascii_digits
        return comma.join(f"{name}={shown(typed)}" for name, typed in parse_qsl(value)) or value
    if isinstance(value, dict):  # an export's parameters: each "name: value", the names labelled as above
        return comma.join(f"{DETAIL_LABELS.get(k, k)}: {_detail_value(entry, k, v)}" for k, v in value.items())
    label = VALUE_LABELS.get(value) if isinstance(value, str) else None
    return str(label if label is not None else value)


def access_details(entry: LogEntry, writer: ChangeWriter | None = None) -> list[str]:
    """An access entry's details as "key: value" lines in the page's language: a person by name (looked up
    through ``writer``, which keeps the names of a page's entries), a number in the reader's digits, and a
    detail with no value (an export's rows before it was made) left out."""
    if not isinstance(entry.additional_data, dict):
        return [str(entry.additional_data)] if entry.additional_data else []
    writer = writer or ChangeWriter()
    lines = []
    for k, v in entry.additional_data.items():
        if v is None or v == "" or v == [] or v == {}:
            continue
        if k in PERSON_DETAILS and str(v).isdigit():
            shown = writer.row_name(get_user_model(), str(v))
        elif isinstance(v, int) and not isinstance(v, bool):
            shown = digits(str(v), persian=is_persian())
        else:
            shown = _detail_value(entry, k, v)
        lines.append(f"{DETAIL_LABELS.get(k, k)}: {shown}")
    return lines


# The background jobs by what they do (an entry a job wrote names it by its Celery task's name: a code path).
TASK_LABELS = {
    "accounts.tasks.login_records_prune": gettext_lazy("pruning old login records"),
    "anpr.tasks.check_camera_health": gettext_lazy("checking the plate-reader cameras"),
    "anpr.tasks.match_pending_reads": gettext_lazy("matching waiting plate reads"),
    "anpr.tasks.match_reads": gettext_lazy("matching plate reads to declarations"),
    "anpr.tasks.recognise_read": gettext_lazy("reading a plate from its photo"),
    "anpr.tasks.train_model": gettext_lazy("training the plate reader"),
    "casework.tasks.case_milestones_check": gettext_lazy("checking the statutory milestones of cases"),
    "core.tasks.build_export": gettext_lazy("building an export"),
    "core.tasks.exports_expire_daily": gettext_lazy("removing expired exports"),
    "core.tasks.outbox_sweep": gettext_lazy("sending waiting follow-up jobs"),
    "core.tasks.partitions_daily": gettext_lazy("preparing the plate-read tables"),
    "declarations.tasks.followups_daily": gettext_lazy("the daily follow-up of overdue declarations"),
    "declarations.tasks.refresh_covered_flags": gettext_lazy("checking goods that need serial numbers"),
    "declarations.tasks.refresh_flags": gettext_lazy("refreshing the declarations' flags"),
    "declarations.tasks.render_letter_pdf": gettext_lazy("making a sent letter's PDF"),
    "declarations.tasks.run_import": gettext_lazy("importing declarations"),
    "reports.tasks.build_monthly_return": gettext_lazy("building a monthly return"),
    "reports.tasks.build_monthly_returns_if_month_start": gettext_lazy("building the monthly returns"),
    "reports.tasks.sweep_stuck_jobs": gettext_lazy("restarting stuck jobs"),
    "scans.tasks.compare_scans": gettext_lazy("comparing truck scans"),
    "scans.tasks.make_previews": gettext_lazy("making scan previews"),
    "scans.tasks.notify_scan_reused": gettext_lazy("reporting a reused scan"),
}
_IMPORT_BATCH_REF = re.compile(r"batch (\d+)")
_TOKEN_REF = re.compile(r"token (\S+…) of (.+)")


def interface_reference(seal) -> str:
    """The interface's reference in the reader's words: a background job by what it does, an import batch by
    its number in the reader's digits; another (an API token's name, a page's) as recorded, isolated."""
    ref = seal.via_ref if seal is not None else ""
    if not ref:
        return ""
    if seal.via == Via.TASK and ref in TASK_LABELS:
        return str(TASK_LABELS[ref])
    if seal.via == Via.IMPORT and (m := _IMPORT_BATCH_REF.fullmatch(ref)):
        return digits(m[1], persian=is_persian())
    if m := _TOKEN_REF.fullmatch(ref):  # as ``ApiToken.reference`` records it, in English
        return _("token %(prefix)s of %(username)s") % {"prefix": isolate(m[1]), "username": isolate(m[2])}
    return isolate(ref)


def interface_text(seal) -> str:
    """«background task: importing declarations», «import batch ۲», «API ⁦token⁩»."""
    if seal is None:
        return ""
    ref = interface_reference(seal)
    if seal.via == Via.TASK and seal.via_ref in TASK_LABELS:
        return f"{seal.get_via_display()}: {ref}"
    return f"{seal.get_via_display()} {ref}".strip()


def _released(entry: LogEntry) -> str | None:
    """A login lock-out released (``accounts.services.lockout_release`` records it as the deletion of axes'
    failed-login rows): «Login lock-out of it @ 127.0.0.1 released (12 failed logins)» in the reader's
    language and digits; None for any other entry."""
    data = entry.additional_data
    if entry.action != LogEntry.Action.DELETE or not isinstance(data, dict) or data.get("released") != "login lock-out":
        return None
    try:
        failures = int(entry.changes_dict.get("failures_since_start", ["0"])[0])
    except (TypeError, ValueError, IndexError, AttributeError):
        failures = 0
    who = f"{data.get('username') or ''} @ {data.get('ip_address') or '—'}"
    return _("Login lock-out of %(who)s released (%(n)s failed logins).") % {
        "who": isolate(who),
        "n": digits(failures, persian=is_persian()),
    }


def _action(entry: LogEntry) -> str:
    """The action's label; a lock-out's release says so (its record is a deletion of the failed logins)."""
    return _("lock-out released") if _released(entry) is not None else str(entry.get_action_display())


def _what_changed(entry: LogEntry, writer: ChangeWriter) -> list[str]:
    """Each change as the reader reads it (``declarations.audit_text``: labels, names, Jalali Tehran times,
    the reader's digits), then its details (a removal's reason); an access's details as "key: value"; a
    lock-out's release in words."""
    if (released := _released(entry)) is not None:
        return [released]
    if entry.changes:
        # A change's own details after it (a covered-goods prefix's removal keeps its reason there).
        return writer.lines(entry) + (access_details(entry, writer) if entry.additional_data else [])
    return access_details(entry, writer)


def _ids_of(entries: list[LogEntry], model: type[models.Model]) -> tuple[int, set[int]]:
    """``model``'s content type and the ids of its rows that ``entries`` are about."""
    kind = ContentType.objects.get_for_model(model).pk  # cached: no query after the first
    return kind, {int(e.object_pk) for e in entries if e.content_type_id == kind and str(e.object_pk).isdigit()}


def _subject_names(entries: list[LogEntry], writer: ChangeWriter) -> dict[tuple[int, str], str]:
    """The rows among ``entries`` whose stored text says little to a person, named as the pages name them, by
    (content type, id): a plate read by its plate as the plate filter writes it, its camera's code and the time it
    was taken, Jalali in the reader's digits (its stored text names the camera by its row id); a timeline
    event by its declaration's serial and its title in the reader's language (its stored text: the
    declaration's id and the kind's code); a scan by its declaration's serial, its stage and its time, in the
    reader's language and digits; a row of a model that names itself (``audit_name``: a case's milestone) as
    ``writer`` names it. One query per kind; a row since removed keeps its stored text."""
    names = writer.subject_names(entries)
    kind, ids = _ids_of(entries, PlateRead)
    if ids:
        for r in PlateRead.objects.filter(pk__in=ids).select_related("camera"):
            shown = (plate_text(r) or "—", camera_text(r.camera), format_jalali(r.captured_at, persian=is_persian()))
            names[kind, str(r.pk)] = " · ".join(shown)
    kind, ids = _ids_of(entries, DeclarationEvent)
    if ids:
        events = (
            DeclarationEvent.objects.filter(pk__in=ids)
            .select_related("declaration")
            .only("kind", "declaration__serial")
        )
        for e in events:
            names[kind, str(e.pk)] = f"{serial_text(e.declaration.serial)} · {event_title(e.kind)}"
    kind, ids = _ids_of(entries, ArrivalConfirmation)
    if ids:  # stored as «serial @ office»: the serial would land inside the office's name
        for a in ArrivalConfirmation.objects.filter(pk__in=ids).select_related("declaration", "office"):
            office = isolate(a.office.name, "rtl" if is_persian() else "ltr")
            names[kind, str(a.pk)] = f"{serial_text(a.declaration.serial)} · {office}"
    kind, ids = _ids_of(entries, ImportBatch)
    if ids:  # stored as «file 2026-12-06 03:55», a UTC Gregorian time
        for b in ImportBatch.objects.filter(pk__in=ids).only("filename", "source", "at"):
            names[kind, str(b.pk)] = " · ".join(
                (isolate(b.filename or b.get_source_display()), format_jalali(b.at, persian=is_persian()))
            )
    kind, ids = _ids_of(entries, Scan)
    if ids:  # stored as «4490 destination ۱۴۰۵/۰۹/۱۵ ۰۵:۳۱», in its writer's digits
        for scan in (
            Scan.objects.filter(pk__in=ids)
            .select_related("declaration")
            .only("stage", "captured_at", "declaration__serial")
        ):
            at = format_jalali(scan.captured_at, persian=is_persian())
            names[kind, str(scan.pk)] = f"{serial_text(scan.declaration.serial)} · {scan.get_stage_display()} · {at}"
    kind, ids = _ids_of(entries, ExportJob)
    if ids:  # stored as «declarations xlsx #3»: the kind's code and the format
        for job in ExportJob.objects.filter(pk__in=ids).only("kind", "fmt"):
            known = exports.kind_of(job.kind)
            label = str(known.title_of(job)) if known is not None else job.kind
            names[kind, str(job.pk)] = f"{label} · {job.fmt.upper()} · #{digits(job.pk, persian=is_persian())}"
    return names


def _subject(entry: LogEntry, names: dict[tuple[int, str], str]) -> str:
    """What the entry is about beside its kind, as the pages name it (a plate read, a timeline event), else as
    recorded; nothing more for a kind of rows (its kind says it in the reader's language)."""
    if _rows_of(entry) is not None:
        return ""
    return names.get((entry.content_type_id, str(entry.object_pk)), entry.object_repr)


@login_required
def audit_list(request):
    form, data = _readable(request)
    if data is None:
        return _refused(request, form)
    entries = entries_for(request.user, data)
    before = request.GET.get("before", "")
    if (older_than := id_or_none(before)) is not None:
        entries = entries.filter(id__lt=older_than)
    rows = list(entries[: PAGE_SIZE + 1])
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    writer = ChangeWriter()
    names = _subject_names(rows, writer)
    writer.load(rows)  # the rows the page names, a query per kind
    query = request.GET.copy()
    query.pop("before", None)
    hidden = own_entries_for(request.user, data).count()
    return render(
        request,
        "reports/audit_list.html",
        {
            "form": form,
            "entries": [
                (
                    e,
                    _kind(e),
                    _role(getattr(e, "seal", None)),
                    _what_changed(e, writer),
                    _subject(e, names),
                    interface_text(getattr(e, "seal", None)),
                    _action(e),
                )
                for e in rows
            ],
            "older": rows[-1].pk if more else None,
            "query": query.urlencode(),
            "first_page": not before,
            "hidden": _hidden_text(hidden),
        },
    )


def _hidden_text(count: int) -> str:
    """What the page says of the entries the search found that are the reader's own: they exist, and who reads them."""
    if not count:
        return ""
    return ngettext(
        "%(n)s entry matching this search is your own and is not shown to you; another user with the "
        "headquarters or IT office role sees it.",
        "%(n)s entries matching this search are your own and are not shown to you; another user with the "
        "headquarters or IT office role sees them.",
        count,
    ) % {"n": digits(count, persian=is_persian())}


HEADERS = [
    gettext_lazy("time"),
    gettext_lazy("actor"),
    gettext_lazy("role"),
    gettext_lazy("address"),
    gettext_lazy("interface"),
    gettext_lazy("reference"),
    gettext_lazy("action"),
    gettext_lazy("kind of record"),
    gettext_lazy("object id"),
    gettext_lazy("object"),
    gettext_lazy("what changed"),
    gettext_lazy("chain sequence"),
    gettext_lazy("hash"),
]


def _changes_cell(entry: LogEntry, writer: ChangeWriter) -> str:
    """The «what changed» of an entry in one cell of an export (CSV or XLSX): the lines the page writes
    (``_what_changed``), an access's details joined as a list, a change's as «…؛ …» in Persian."""
    lines = _what_changed(entry, writer)
    if not entry.changes and entry.action == LogEntry.Action.ACCESS and _released(entry) is None:
        return ", ".join(lines)
    return ("؛ " if is_persian() else "; ").join(lines)


def _row(entry: LogEntry, writer: ChangeWriter, names: dict[tuple[int, str], str]) -> list:
    """One entry as a row of an export, CSV and XLSX alike: its reference, subject and changes as the page
    writes them, in the reader's language (``writer`` and ``names`` look up the rows they name)."""
    seal = getattr(entry, "seal", None)
    return [
        format_jalali(entry.timestamp, persian=False),
        seal.actor_name if seal else "",
        _role(seal),
        entry.remote_addr or "",
        seal.get_via_display() if seal else "",
        interface_reference(seal) if seal else "",
        _action(entry),
        _kind(entry),
        entry.object_pk,
        _subject(entry, names),
        _changes_cell(entry, writer),
        seal.seq if seal else "",
        seal.hash if seal else "",
    ]


@login_required
def audit_export(request, fmt: str):
    """The entries under the filters as CSV or XLSX, built by the worker (``core.exports``, kind ``audit``):
    up to ``EXPORT_LIMIT`` entries, each with its seal; the answer is the export's page."""
    form, data = _readable(request)
    if fmt not in ("csv", "xlsx"):
        raise Http404
    if data is None:
        return _refused(request, form)
    job = exports.start(request, kind=EXPORT_KIND, fmt=fmt, query=request.GET.urlencode())
    return redirect("core:export-job", pk=job.pk)


def _chunks(entries):
    chunk: list[LogEntry] = []
    for entry in entries:
        chunk.append(entry)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def write_export(entries, fmt: str, out, progress=None, *, head: list[xlsx.Line] | None = None) -> int:
    """The entries as CSV (UTF-8 with a BOM) or XLSX written to ``out``; no cell runs as a formula. The XLSX
    opens with the title block whose lines are ``head`` (``core.xlsx``: the filters, when and by whom); the
    CSV, a table for programs, has none. Returns how many; ``progress(done, total)`` every ``CHUNK`` entries."""
    total = entries.count() if progress else None
    done = 0

    def tick() -> None:
        nonlocal done
        done += 1
        if progress and done % CHUNK == 0:
            progress(done, total)

    if fmt == "csv":
        text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
        writer = SafeCsvWriter(text)
        writer.writerow(headings(HEADERS))
        words = ChangeWriter()
        for chunk in _chunks(entries.iterator(chunk_size=CHUNK)):
            names = _subject_names(chunk, words)
            words.load(chunk)
            for entry in chunk:
                writer.writerow(_row(entry, words, names))  # as the page and the XLSX write it
                tick()
        text.flush()
        text.detach()  # ``out`` stays open: the caller stores it
    else:
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet(str(_("Audit trail"))[:31])
        ws.sheet_view.rightToLeft = is_persian()  # as the page it came from
        xlsx.append_title_block(ws, str(_("Audit trail")), head or [], safe=safe_row)
        ws.append(headings(HEADERS))
        words = ChangeWriter()  # one for the file: a related row is looked up once
        for chunk in _chunks(entries.iterator(chunk_size=CHUNK)):
            names = _subject_names(chunk, words)
            words.load(chunk)
            for entry in chunk:
                # openpyxl writes text starting with "=" as a formula
                ws.append(safe_row(_row(entry, words, names)))
                tick()
        wb.save(out)
    if progress:
        progress(done, total)
    return done


def shown(job) -> list[tuple[str, SafeString]]:
    """The filters of a job (``job.query``) as the page's filter form names them, in the reader's language: each
    by its field's label, a choice (an action, a kind of record, an interface) by its label, a date in Jalali,
    a name or text as typed, left to right. A value the form no longer takes is written as asked."""
    form = AuditFilterForm(QueryDict(job.query))
    form.is_valid()
    out: list[tuple[str, SafeString]] = []
    for name, field in form.fields.items():
        typed = (form.data.get(name) or "").strip()
        if not typed:
            continue
        value = form.cleaned_data.get(name) if name not in form.errors else None
        if value in (None, ""):  # refused by the form: as asked
            text = format_html('<bdi dir="ltr">{}</bdi>', typed)
        elif isinstance(field, forms.ChoiceField):
            labels = {str(k): v for k, v in cast(Iterable[tuple[Any, Any]], field.choices)}
            text = format_html("{}", str(labels.get(str(value), value)))
        elif isinstance(value, dt.date):
            text = format_html("{}", format_jalali(value, with_time=False, persian=is_persian()))
        else:
            text = format_html('<bdi dir="ltr">{}</bdi>', typed)  # a username, an id or text searched for
        out.append((str(field.label), text))
    return out


def build_export(job, out, progress) -> str:
    """The builder of the export job: the entries ``job.user`` may read now under the filters as asked."""
    if not may_read_audit(job.user):
        raise exports.ExportRefused(_("Only headquarters and the IT office read the audit trail."))
    form = AuditFilterForm(QueryDict(job.query) or None)
    if form.is_bound and not form.is_valid():
        raise exports.ExportRefused(_("The filters asked are not valid; open the list and ask for the file again."))
    data = form.cleaned_data if form.is_bound else {}
    write_export(entries_for(job.user, data)[:EXPORT_LIMIT], job.fmt, out, progress, head=xlsx.job_lines(job))
    return export_filename("audit", job.fmt)
