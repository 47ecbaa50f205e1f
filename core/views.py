"""The pages of an export job (``core.exports``): its progress, then its download."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from core import exports
from core.files import serve_evidence
from core.models import ExportJob, ExportState


def _job(request, pk: int) -> ExportJob:
    """The person's own job (every job for the IT office); anyone else's is a 404, as if it did not exist."""
    return get_object_or_404(ExportJob.objects.visible_to(request.user).select_related("user"), pk=pk)


@login_required
def export_job(request, pk: int):
    """A job's progress; while it waits, its part asks again every two seconds (htmx, ``?partial=1``)."""
    job = _job(request, pk)
    kind = exports.kind_of(job.kind)
    context = {
        "job": job,
        "label": kind.title_of(job) if kind else job.kind,
        "filters": kind.filters_of(job) if kind else [],
        "back": kind.back(job) if kind and kind.back else "",
        "expires_on": exports.expires_on(job),
        "own": job.user_id == request.user.pk,
    }
    template = "core/_export_job.html" if request.GET.get("partial") else "core/export_job.html"
    return render(request, template, context)


@login_required
def export_download(request, pk: int):
    """The job's file, checked against its SHA-256 and audited as an export (kind and filters as asked)."""
    job = _job(request, pk)
    if job.state != ExportState.DONE or not job.file:
        raise Http404(_("This file is not available."))
    return serve_evidence(
        request,
        job.file,
        sha256=job.sha256,
        filename=job.filename,
        content_type=job.content_type,
        as_attachment=True,
        what="export",
        details={"kind": job.kind, "format": job.fmt, "query": job.query, "rows": job.rows, "asked_by": job.user_id},
    )
