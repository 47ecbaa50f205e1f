"""Upload page for ICS exports: the file is checked and queued, the worker imports it, and the
batch's page shows its progress, then its summary with each rejected row explained."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Role
from core import jobs, uploads
from core.forms import PageForm
from core.text import digits, format_number

from . import import_jobs, import_template, tasks
from .import_formats import ImportFileError, check_file
from .models import ImportBatch, ImportState

MAY_IMPORT = (Role.HQ, Role.OFFICE, Role.INTEGRATION)


def may_import(user) -> bool:
    return user.is_active and (user.is_superuser or user.role in MAY_IMPORT)


class ImportForm(PageForm):
    file = forms.FileField(
        label=gettext_lazy("ICS export (CSV, XLSX or JSON)"),
        help_text=gettext_lazy("One row per goods line; re-importing the same file changes nothing."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,.json"}),
    )

    def clean_file(self):
        f = self.cleaned_data["file"]
        max_bytes = settings.IMPORT_MAX_BYTES
        if f.size > max_bytes:
            raise forms.ValidationError(
                _("The file is larger than %(mb)s MB.") % {"mb": format_number(max_bytes // 1024 // 1024)}
            )
        return f


@login_required
def import_upload(request):
    """The file is checked as a whole here (size, malware, readable, its header), stored and queued;
    the worker imports it and the batch's page shows it advance. Without a broker the import has
    run by the time the task call returns: the summary is shown at once."""
    if not may_import(request.user):
        raise PermissionDenied(_("Only headquarters, office staff and the integration client import declarations."))
    batch = None
    status = 400
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        try:
            uploads.malware_check(data, field="file")  # before the parser reads a byte of it
            fmt = check_file(data, upload.name)
        except uploads.UploadRejected as exc:
            form.add_error("file", exc.message)
            status = exc.status  # 422 malware, 503 no verdict
        except ImportFileError as exc:
            form.add_error("file", str(exc))
        else:
            batch = import_jobs.import_queue_file(data=data, filename=upload.name, fmt=fmt, by=request.user)
            job = jobs.enqueue(tasks.run_import, batch.pk, language=translation.get_language() or "")
            if not job.inline:  # the worker imports it: its page shows it advance
                return redirect("declarations:import-batch", pk=batch.pk)
            batch.refresh_from_db()
            if batch.state == ImportState.FAILED:  # found past the first row: beside the field, as before
                form.add_error("file", batch.error)
                batch = None
            else:
                messages.success(request, _counts(batch))
                form = ImportForm()
    context = {"form": form, "batch": batch, "columns": import_template.guide()}
    return render(request, "declarations/import.html", context, status=status if form.errors else 200)


def _counts(batch: ImportBatch) -> str:
    counts = _("Imported: %(c)d created, %(u)d updated, %(n)d unchanged, %(r)d rejected.") % {
        "c": batch.created,
        "u": batch.updated,
        "n": batch.unchanged,
        "r": batch.rejected,
    }
    return digits(counts)  # the counts in the page's digits


def _get_batch(request, pk: int) -> ImportBatch:
    """A batch is its importer's own: its report names the rows they sent (404 to anyone else)."""
    if not may_import(request.user):
        raise PermissionDenied(_("Only headquarters, office staff and the integration client import declarations."))
    try:
        return ImportBatch.objects.get(pk=pk, by=request.user)
    except ImportBatch.DoesNotExist:
        raise Http404("No import matches the given query.") from None


@login_required
def import_batch(request, pk: int):
    """One import: its progress while the worker runs it (the status part polls), then its summary."""
    batch = _get_batch(request, pk)
    return render(request, "declarations/import_batch.html", {"batch": batch})


@login_required
def import_status(request, pk: int):
    """The status part alone (htmx polls it every two seconds until the import has ended)."""
    batch = _get_batch(request, pk)
    return render(request, "declarations/_import_status.html", {"batch": batch})


@login_required
def import_template_file(request, fmt: str):
    """The columns of an ICS export with one example row, to fill in (CSV or XLSX)."""
    if not may_import(request.user):
        raise PermissionDenied(_("Only headquarters, office staff and the integration client import declarations."))
    if fmt not in ("csv", "xlsx"):
        raise Http404
    if fmt == "xlsx":
        body, kind = (
            import_template.template_xlsx(request.user),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        body, kind = import_template.template_csv(request.user), "text/csv; charset=utf-8"
    response = HttpResponse(body, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="ics-import-template.{fmt}"'
    return response
