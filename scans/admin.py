"""Admin for scans: read-only evidence (files and results come from services, never hand edits)."""

from django.contrib import admin

from core.admin_utils import EvidenceAdmin, JalaliAdmin, jalali

from .models import Scan, ScanComparison, ScanReuseReview


class ScopedAdmin(JalaliAdmin):
    def get_queryset(self, request):
        return super().get_queryset(request).for_user(request.user)


@admin.register(Scan)
class ScanAdmin(EvidenceAdmin, ScopedAdmin):
    list_display = (
        "id",
        "declaration",
        "stage",
        "view",
        "office",
        "scanner_id",
        jalali("captured_at", "زمان تصویربرداری"),
    )
    list_filter = ("stage", "view", "format", "preview_status")
    search_fields = ("declaration__serial", "scanner_id", "sha256")
    raw_id_fields = ("declaration", "uploaded_by")
    jalali_fields = ("captured_at", "uploaded_at")
    readonly_fields = ("original", "thumbnail", "web_image", "sha256", "received_sha256", "size_bytes")


@admin.register(ScanComparison)
class ScanComparisonAdmin(EvidenceAdmin, ScopedAdmin):
    list_display = (
        "id",
        "declaration",
        "view",
        "status",
        "verdict",
        "score",
        "review",
        "algorithm_version",
        jalali("created_at", "زمان ایجاد"),
    )
    list_filter = ("status", "verdict", "review", "view", "algorithm_version")
    search_fields = ("declaration__serial",)
    raw_id_fields = ("declaration", "origin_scan", "dest_scan", "reviewed_by")
    jalali_fields = ("created_at", "finished_at", "reviewed_at")
    readonly_fields = (
        "heatmap",
        "boxes",
        "details",
        "timings",
        "score",
        "verdict",
        "threshold",
        "algorithm_version",
        "algorithm_params",
    )


@admin.register(ScanReuseReview)
class ScanReuseReviewAdmin(EvidenceAdmin, ScopedAdmin):
    list_display = ("id", "declaration", "scan", "decision", "by", jalali("at", "زمان بررسی"))
    list_filter = ("decision",)
    search_fields = ("declaration__serial",)
    raw_id_fields = ("declaration", "scan", "supersedes", "by")
    jalali_fields = ("at",)
