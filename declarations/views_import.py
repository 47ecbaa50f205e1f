"""Upload page for ICS exports: the file is read and imported, and the summary shown."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Role
from core import uploads
from core.text import digits

from . import import_template
from .importer import ImportFileError, import_file

MAY_IMPORT = (Role.HQ, Role.OFFICE, Role.INTEGRATION)


def may_import(user) -> bool:
    return user.is_active and (user.is_superuser or user.role in MAY_IMPORT)


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("ICS export (CSV, XLSX or JSON)"),
        help_text=gettext_lazy("One row per goods line; re-importing the same file changes nothing."),
    )

    def clean_file(self):
        f = self.cleaned_data["file"]
        max_bytes = settings.IMPORT_MAX_BYTES
        if f.size > max_bytes:
            raise forms.ValidationError(_("The file is larger than %(mb)d MB.") % {"mb": max_bytes // 1024 // 1024})
        return f


@login_required
def import_upload(request):
    if not may_import(request.user):
        raise PermissionDenied(_("Only headquarters, office staff and the integration client import declarations."))
    summary = None
    status = 400
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        try:
            uploads.malware_check(data, field="file")  # before the parser reads a byte of it
            summary = import_file(data, upload.name, by=request.user).as_dict()
        except uploads.UploadRejected as exc:
            form.add_error("file", exc.message)
            status = exc.status  # 422 malware, 503 no verdict
        except ImportFileError as exc:
            form.add_error("file", str(exc))
        else:
            counts = _("Imported: %(c)d created, %(u)d updated, %(n)d unchanged, %(r)d rejected.") % {
                "c": summary["created"],
                "u": summary["updated"],
                "n": summary["unchanged"],
                "r": len(summary["rejected"]),
            }
            messages.success(request, digits(counts))  # the counts in the page's digits
    context = {"form": form, "summary": summary, "columns": import_template.guide()}
    return render(request, "declarations/import.html", context, status=status if form.errors else 200)


@login_required
def import_template_file(request, fmt: str):
    """The columns of an ICS export with one example row, to fill in (CSV or XLSX)."""
    if not may_import(request.user):
        raise PermissionDenied(_("Only headquarters, office staff and the integration client import declarations."))
    if fmt not in ("csv", "xlsx"):
        raise Http404
    if fmt == "xlsx":
        body, kind = (
            import_template.template_xlsx(),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        body, kind = import_template.template_csv(), "text/csv; charset=utf-8"
    response = HttpResponse(body, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="ics-import-template.{fmt}"'
    return response
