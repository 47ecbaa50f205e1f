"""Admin for reports: Jalali dates, scoped lists; inspection attachments and returns are read-only.

A return is built by ``return_build`` and submitted by ``return_submit`` (their pages, the API), which
compute its figures, files and SHA-256 and audit each step; here it is only shown, never added, edited or
deleted, a draft included (a new build is a new version)."""

from django.contrib import admin

from core.admin_utils import EvidenceAdmin, JalaliAdmin, jalali

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
class InspectionAdmin(JalaliAdmin):
    list_display = ("office", "inspected_on", "inspector")
    list_filter = ("office__province",)
    inlines = [AttachmentInline]

    def get_queryset(self, request):
        return super().get_queryset(request).for_user(request.user)


@admin.register(InspectionAttachment)
class InspectionAttachmentAdmin(EvidenceAdmin, JalaliAdmin):
    """Registered so that deleting an inspection in the admin is refused while it has attachments."""

    list_display = ("name", "inspection", "sha256", "uploaded_by", jalali("uploaded_at", "بارگذاری"))
    raw_id_fields = ("inspection",)
    jalali_fields = ("uploaded_at",)

    def get_queryset(self, request):
        return super().get_queryset(request).filter(inspection__in=Inspection.objects.for_user(request.user))


@admin.register(SystemProblem)
class SystemProblemAdmin(JalaliAdmin):
    list_display = ("system", "symptom", "office", jalali("since", "از"), "status", "assigned_to")
    list_filter = ("status", "system", "symptom")
    jalali_fields = ("since", "reported_at", "resolved_at")
    raw_id_fields = ("declarations",)

    def get_queryset(self, request):
        return super().get_queryset(request).for_user(request.user)


@admin.register(MonthlyReturn)
class MonthlyReturnAdmin(EvidenceAdmin, JalaliAdmin):
    list_display = ("year", "month", "province", "version", "status", jalali("built_at", "ساخته‌شده"), "unsettled_count")
    list_select_related = ("province",)  # nullable (a national return): not read with the rows unless named
    list_filter = ("status", "province")
    jalali_fields = ("built_at", "submitted_at")
    readonly_fields = ("xlsx", "pdf", "csv")  # made by the system: no file is uploaded here, unscanned

    def get_queryset(self, request):
        return super().get_queryset(request).for_user(request.user)


@admin.register(ReturnBuild)
class ReturnBuildAdmin(JalaliAdmin):
    """Requests to build a return, as the worker and the sweeper left them (read-only: the sweeper
    queues a stuck one again, or fails it with its reason)."""

    list_display = ("year", "month", "province", "state", jalali("created_at"), jalali("finished_at"), "result")
    list_select_related = ("province", "result__province")  # the return is named with its province (its __str__)
    list_filter = ("state",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
