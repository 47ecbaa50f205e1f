"""The pages of export jobs (``core.exports``): a person's list of them, one job's progress, then its
download."""

from __future__ import annotations

from typing import cast

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import exports, text
from core.files import serve_evidence
from core.forms import ListFilterForm, read_filters
from core.models import ExportJob, ExportState, export_oversight, sees_every_export
from core.paging import BadCursor, keyset_page
from core.signals import export_downloaded

PAGE = 25  # jobs a page; the pager (a cursor on the time asked) reaches every one


def _job(request, pk: int) -> ExportJob:
    """The person's own job (every job for the IT office); anyone else's is a 404, as if it did not exist."""
    return get_object_or_404(ExportJob.objects.visible_to(request.user).select_related("user"), pk=pk)


def _entry(job: ExportJob) -> dict:
    """What the job's page and its row in the list say of a job: the kind's title and the filters as asked."""
    kind = exports.kind_of(job.kind)
    return {
        "job": job,
        "label": kind.title_of(job) if kind else job.kind,
        "filters": kind.filters_of(job) if kind else [],
        "expires_on": exports.expires_on(job),
    }


def _asker_choices(viewer) -> list[tuple[str, str]]:
    """Everyone who has asked for an export ``viewer`` sees, by name (their username beside it, isolated)."""
    people = get_user_model().objects.filter(pk__in=ExportJob.objects.visible_to(viewer).values("user_id"))
    choices = []
    for user in people:
        name = user.get_full_name()
        username = user.get_username()
        choices.append((str(user.pk), f"{name} ({text.isolate(username)})" if name else text.isolate(username)))
    return [("", "—"), *sorted(choices, key=lambda c: c[1])]


class ExportFilterForm(ListFilterForm):
    """The list's ``?status=`` (a state of a job) and, for the IT office, ``?asker=`` (a person, by id)."""

    status = forms.ChoiceField(label=gettext_lazy("status"), required=False, choices=[("", "—"), *ExportState.choices])
    asker = forms.ChoiceField(label=gettext_lazy("asked by"), required=False)

    def __init__(self, *args, sees_all: bool, viewer=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.sees_all = sees_all
        if sees_all:
            cast(forms.ChoiceField, self.fields["asker"]).choices = _asker_choices(viewer)
        else:
            del self.fields["asker"]

    def clean(self):
        data = super().clean()
        if not self.sees_all and self.data.get("asker"):
            # Another person's exports are the IT office's and the system administrator's to see (``export_oversight``),
            # never one's own in their place; the sentence is read by someone who is neither.
            raise forms.ValidationError(
                _("Only the IT office and the system administrator see other people's exports; you see your own."),
                code="asker",
            )
        return data


@login_required
def export_list(request):
    """A person's exports, newest first, ``PAGE`` a page (``?after=``/``?before=``: a cursor); the IT office's
    are everyone's, with who asked, filtered by ``?asker=`` and ``?status=``. A filter that is not valid is
    the page with its error beside the filter and no jobs (400), never every job in place of those asked.
    A row of a job that waits asks again every two seconds, as the job's page does."""
    oversight = export_oversight(request.user)
    sees_all = bool(oversight)
    form, data = read_filters(ExportFilterForm, request, sees_all=sees_all, viewer=request.user)
    context = {"filter_form": form, "sees_all": sees_all, "oversight": oversight, "entries": [], "page": None}
    if data is None:
        return render(request, "core/export_list.html", {**context, "invalid": True}, status=400)
    jobs = ExportJob.objects.visible_to(request.user).select_related("user")
    if data["status"]:
        jobs = jobs.filter(state=data["status"])
    if data.get("asker"):
        jobs = jobs.filter(user_id=int(data["asker"]))
    query = urlencode({k: v for k, v in data.items() if v})
    try:
        page = keyset_page(
            jobs,
            "-created_at",
            after=request.GET.get("after") or None,
            before=request.GET.get("before") or None,
            size=PAGE,
        )
    except BadCursor:  # back to the first page with the same filters, saying why
        messages.warning(request, _("The page link is broken: start again from the first page."))
        return redirect(reverse("core:export-list") + (f"?{query}" if query else ""))
    context.update(
        entries=[_entry(job) for job in page.rows],
        page=page,
        query=query,
        filtered=bool(query),
    )
    return render(request, "core/export_list.html", context)


@login_required
def export_job(request, pk: int):
    """A job's progress; while it waits, its part asks again every two seconds (htmx, ``?partial=1``; its row
    of the list, ``?partial=row``)."""
    job = _job(request, pk)
    kind = exports.kind_of(job.kind)
    entry = _entry(job)
    partial = request.GET.get("partial")
    if partial == "row":
        return render(request, "core/_export_row.html", {"entry": entry, "sees_all": sees_every_export(request.user)})
    context = {
        **entry,
        "back": kind.back(job) if kind and kind.back else "",
        "own": job.user_id == request.user.pk,
    }
    template = "core/_export_job.html" if partial else "core/export_job.html"
    return render(request, template, context)


@login_required
def export_download(request, pk: int):
    """The job's file, checked against its SHA-256 and audited as an export (kind and filters as asked); the
    one who takes it has their notice that it is ready closed (``core.signals.export_downloaded``)."""
    job = _job(request, pk)
    if job.state != ExportState.DONE or not job.file:
        raise Http404(_("This file is not available."))
    response = serve_evidence(
        request,
        job.file,
        sha256=job.sha256,
        filename=job.filename,
        content_type=job.content_type,
        as_attachment=True,
        what="export",
        details={"kind": job.kind, "format": job.fmt, "query": job.query, "rows": job.rows, "asked_by": job.user_id},
    )
    if response.status_code < 400:  # served (or its signed address given): «the file is ready» is dealt with
        export_downloaded.send(sender=ExportJob, instance=job, user=request.user)
    return response
