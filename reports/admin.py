"""Admin for reports: Jalali dates, scoped lists; everything here is read-only (``EvidenceAdmin``).

A return is built by ``return_build`` and submitted by ``return_submit`` (their pages, the API), which
compute its figures, files and SHA-256 and audit each step; here it is only shown, never added, edited or
deleted, a draft included (a new build is a new version). An inspection with its findings, attachments
and actions is recorded on its page (``inspection_record``, ``inspection_action_*``); a system problem is
reported, acknowledged and resolved through ``problem_report``, ``problem_acknowledge`` and
``problem_resolve``, which keep its times and status in step and audit each step. The admin shows them."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin_utils import EvidenceAdmin, JalaliAdmin, jalali, number

from .models import Inspection, InspectionAttachment, MonthlyReturn, ReturnBuild, SystemProblem


class AttachmentInline(admin.TabularInline):
    """Attachments are evidence: listed under their inspection, never added, changed or removed here."""

    model = InspectionAttachment
    extra = 0
    # Attachments come through the inspection form, where they are checked and scanned for malware.
    readonly_fields = ("file", "sha256", "uploaded_by", "uploaded_at")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Inspection)
class InspectionAdmin(EvidenceAdmin, JalaliAdmin):
    list_display = ("office", "inspected_on", "inspector")
    list_filter = ("office__province",)
    inlines = [AttachmentInline]

    def get_queryset(self, request):
        return super().get_queryset(request).for_user(request.user)


@admin.register(InspectionAttachment)
class InspectionAttachmentAdmin(EvidenceAdmin, JalaliAdmin):
    list_display = ("name", "inspection", "sha256", "uploaded_by", jalali("uploaded_at", "بارگذاری"))
    raw_id_fields = ("inspection",)
    jalali_fields = ("uploaded_at",)

    def get_queryset(self, request):
        return super().get_queryset(request).filter(inspection__in=Inspection.objects.for_user(request.user))


@admin.register(SystemProblem)
class SystemProblemAdmin(EvidenceAdmin, JalaliAdmin):
    list_display = ("system", "symptom", "office", jalali("since", "از"), "status", "assigned_to")
    list_filter = ("status", "system", "symptom")
    jalali_fields = ("since", "reported_at", "resolved_at")
    raw_id_fields = ("declarations",)

    def get_queryset(self, request):
        return super().get_queryset(request).for_user(request.user)


@admin.register(MonthlyReturn)
class MonthlyReturnAdmin(EvidenceAdmin, JalaliAdmin):
    list_display = (
        number("year", _("Jalali year")),
        number("month", _("Jalali month")),
        "province",
        number("version", _("version")),
        "status",
        jalali("built_at", _("built at")),
        number("unsettled_count", _("unsettled serials")),
    )
    list_select_related = ("province",)  # nullable (a national return): not read with the rows unless named
    list_filter = ("status", "province")
    jalali_fields = ("built_at", "submitted_at")
    readonly_fields = ("xlsx", "pdf", "signed_pdf", "csv")  # made by the system: no file is uploaded here, unscanned

    def get_queryset(self, request):
        return super().get_queryset(request).for_user(request.user)


@admin.register(ReturnBuild)
class ReturnBuildAdmin(EvidenceAdmin, JalaliAdmin):
    """Requests to build a return, as the worker and the sweeper left them (read-only: the sweeper
    queues a stuck one again, or fails it with its reason)."""

    list_display = ("year", "month", "province", "state", jalali("created_at"), jalali("finished_at"), "result")
    list_select_related = ("province", "result__province")  # the return is named with its province (its __str__)
    list_filter = ("state",)
