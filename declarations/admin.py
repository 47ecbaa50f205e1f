"""Admin for every declarations model: Persian labels (verbose names), Jalali dates, scoped lists.

A declaration as declared (its goods lines and serials, its truck, driver and company), traffic permits,
arrival confirmations (with their evidence document), timeline events, deadline extensions and import
batches are records of what happened: shown, listed and searched, never added, changed or deleted here,
by anybody (``EvidenceAdmin``). Corrections go through the app's services. The reference tables (route
time limits, road distances, TIR parks) stay editable."""

from django.contrib import admin

from accounts.admin_site import may_use_admin
from core.admin_utils import EvidenceAdmin, JalaliAdmin, jalali

from .models import (
    ArrivalConfirmation,
    ArrivalReadReview,
    ArrivalSerial,
    DeadlineExtension,
    DeclarationEvent,
    DiscrepancyResolution,
    Driver,
    GoodsItem,
    GoodsSerial,
    ImeiRegistryCheck,
    ImportBatch,
    PermitStop,
    PermitWaiver,
    RoadDistance,
    RouteTimeLimit,
    SerialDiscrepancy,
    SettlementOverride,
    TirPark,
    TrafficPermit,
    TransitDeclaration,
    TransportCompany,
    TransportDocument,
    Vehicle,
)


class ScopedAdmin(JalaliAdmin):
    """Staff who are not national see only their scope in the admin too."""

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs.for_user(request.user) if hasattr(qs, "for_user") else qs


class GoodsInline(admin.TabularInline):
    """The declaration's goods lines, shown with it: read-only like it."""

    model = GoodsItem
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TransitDeclaration)
class TransitDeclarationAdmin(EvidenceAdmin, ScopedAdmin):
    list_display = (
        "serial",
        jalali("declared_at", "تاریخ اظهار"),
        "origin",
        "destination",
        "vehicle",
        "status",
        jalali("deadline", "مهلت"),
    )
    list_filter = ("status", "origin__province", "vehicle_country", "comparison_verdict")
    search_fields = ("serial", "waybill_no", "vehicle__plate", "mrn")
    list_select_related = ("origin", "destination", "vehicle")
    raw_id_fields = ("vehicle", "driver", "company", "status_changed_by")
    # What was declared, the lifecycle (its services) and the evidence summary (declarations.evidence):
    # all shown here, none typed over (EvidenceAdmin). A deadline moves by an extension, a declaration
    # is cancelled or closed through the lifecycle.
    jalali_fields = ("declared_at", "deadline", "departed_at", "arrived_at", "settled_at")
    inlines = [GoodsInline]
    show_full_result_count = False  # a COUNT(*) over ten million rows on every page is not worth it


# The truck, its company and its driver are what the declarations say (stored by the import and the
# registration, keyed by plate, registration number, national ID): the plate search, the plate-read
# matching and the duplicate-truck signal rest on them. Shown, never typed over.


@admin.register(Vehicle)
class VehicleAdmin(EvidenceAdmin):
    list_display = ("plate", "country", "trailer_plate", "company")
    list_filter = ("country",)
    search_fields = ("plate", "trailer_plate")
    raw_id_fields = ("company",)
    show_full_result_count = False


@admin.register(TransportCompany)
class TransportCompanyAdmin(EvidenceAdmin):
    list_display = ("name", "registration_no", "country")
    search_fields = ("name", "registration_no")


@admin.register(Driver)
class DriverAdmin(EvidenceAdmin):
    list_display = ("name", "national_id", "passport_no", "country")
    search_fields = ("name", "national_id", "passport_no")
    show_full_result_count = False


@admin.register(RouteTimeLimit)
class RouteTimeLimitAdmin(admin.ModelAdmin):
    list_display = ("origin", "destination", "hours")
    list_filter = ("origin",)


@admin.register(GoodsItem)
class GoodsItemAdmin(EvidenceAdmin):
    list_display = ("declaration", "line_no", "hs_code", "description", "quantity", "unit")
    search_fields = ("declaration__serial", "hs_code")
    raw_id_fields = ("declaration",)
    show_full_result_count = False


@admin.register(GoodsSerial)
class GoodsSerialAdmin(EvidenceAdmin):
    list_display = ("value", "is_imei", "declaration")
    search_fields = ("value",)
    raw_id_fields = ("declaration", "goods_item")
    show_full_result_count = False


@admin.register(ArrivalConfirmation)
class ArrivalConfirmationAdmin(EvidenceAdmin, JalaliAdmin):
    list_display = (
        "declaration",
        "office",
        jalali("confirmed_at", "زمان وصول"),
        "confirmed_by",
        "seals_intact",
        "source",
    )
    list_filter = ("source", "seals_intact")
    raw_id_fields = ("declaration", "confirmed_by")
    jalali_fields = ("confirmed_at",)
    # Evidence comes through the arrival form, checked and scanned for malware; never uploaded here.
    readonly_fields = ("evidence", "evidence_name", "evidence_sha256")


@admin.register(TrafficPermit)
class TrafficPermitAdmin(EvidenceAdmin, JalaliAdmin):
    """Read-only: a permit is recorded, and its exit too, only through ``permits`` (the pages and the
    API), which keep the declaration's permit clock (the ``permit_expired`` signal) in step."""

    list_display = ("permit_no", "vehicle", "entry_office", "exit_office", jalali("issued_at", "صدور"), "allowed_hours")
    list_filter = ("exit_source",)
    search_fields = ("permit_no", "vehicle__plate", "declaration__serial")
    raw_id_fields = ("vehicle", "declaration")
    jalali_fields = ("issued_at", "exited_at")


class HqItEditable(admin.ModelAdmin):
    """Reference tables headquarters and the IT office keep (every admin user is one of them, or a
    superuser: ``accounts.admin_site``), without a model permission granted to each account."""

    def _may(self, request) -> bool:
        return may_use_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return self._may(request)

    def has_add_permission(self, request):
        return self._may(request)

    def has_change_permission(self, request, obj=None):
        return self._may(request)

    def has_delete_permission(self, request, obj=None):
        return self._may(request)

    def has_module_permission(self, request):
        return self._may(request)


@admin.register(RoadDistance)
class RoadDistanceAdmin(HqItEditable):
    """The shipped road distances (``road_distances``): headquarters and the IT office correct them here."""

    list_display = ("office_a", "office_b", "km")
    list_filter = ("office_a__province",)
    search_fields = ("office_a__code", "office_b__code", "office_a__name_fa", "office_b__name_fa")
    list_select_related = ("office_a", "office_b")


@admin.register(TirPark)
class TirParkAdmin(HqItEditable):
    """The TIR park register (Art. 12); a camera is tied to a park on the camera's own page."""

    list_display = ("name", "office", "latitude", "longitude", "active")
    list_filter = ("active", "office__province")
    search_fields = ("name", "office__code")


@admin.register(PermitStop)
class PermitStopAdmin(EvidenceAdmin, JalaliAdmin):
    list_display = ("permit", "kind", jalali("started_at", "توقف"), "place", "confirmed_by", "recorded_by")
    raw_id_fields = ("permit", "recorded_by")  # recorded on the permit's page (``permit_checks``)


@admin.register(PermitWaiver)
class PermitWaiverAdmin(EvidenceAdmin):
    list_display = ("declaration", "by", jalali("at", "زمان"), "reason")
    raw_id_fields = ("declaration", "by")


@admin.register(DeadlineExtension)
class DeadlineExtensionAdmin(EvidenceAdmin):
    list_display = ("declaration", jalali("new_deadline", "مهلت جدید"), "reason", "by", jalali("at", "زمان"))
    raw_id_fields = ("declaration",)

    # Read-only: an extension moves the deadline only through ``declaration_extend_deadline``.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DeclarationEvent)
class DeclarationEventAdmin(EvidenceAdmin):
    list_display = ("declaration", jalali("at", "زمان"), "kind", "actor", "source", "message")
    list_filter = ("kind", "source")
    search_fields = ("declaration__serial",)
    raw_id_fields = ("declaration", "actor")
    show_full_result_count = False


@admin.register(ImportBatch)
class ImportBatchAdmin(EvidenceAdmin, JalaliAdmin):
    list_display = (
        "filename",
        "source",
        jalali("at", "زمان"),
        "by",
        "state",
        "created",
        "updated",
        "unchanged",
        "rejected",
    )
    jalali_fields = ("at", "started_at", "finished_at")


# --- the anti-smuggling rules (issue 15 §2) ----------------------------------------------------------
# Serials found, discrepancies and their resolutions, overrides, registry checks and transport documents
# are evidence: read-only here, made only through ``serials`` and ``transport_docs``. The covered goods are
# edited on their own page (``declarations:covered-goods``), whose service sets the signal columns again.


@admin.register(ArrivalSerial)
class ArrivalSerialAdmin(EvidenceAdmin):
    list_display = ("value", "kind", "declaration", "recorded_by", jalali("recorded_at", "زمان ثبت"), "source")
    search_fields = ("value", "declaration__serial")
    raw_id_fields = ("declaration", "recorded_by")
    show_full_result_count = False


@admin.register(SerialDiscrepancy)
class SerialDiscrepancyAdmin(EvidenceAdmin):
    list_display = ("declaration", jalali("opened_at", "زمان ثبت"), "opened_by", "declared_count", "found_count")
    search_fields = ("declaration__serial",)
    raw_id_fields = ("declaration", "opened_by")


@admin.register(DiscrepancyResolution)
class DiscrepancyResolutionAdmin(EvidenceAdmin):
    list_display = ("discrepancy", jalali("at", "زمان"), "by", "superseded", "reason")
    raw_id_fields = ("discrepancy", "by")


@admin.register(SettlementOverride)
class SettlementOverrideAdmin(EvidenceAdmin):
    list_display = ("declaration", jalali("at", "زمان"), "by", "reason")
    search_fields = ("declaration__serial",)
    raw_id_fields = ("declaration", "by")


@admin.register(ImeiRegistryCheck)
class ImeiRegistryCheckAdmin(EvidenceAdmin):
    list_display = ("imei", "result", "checked_on", "declaration", "by")
    search_fields = ("imei", "declaration__serial")
    raw_id_fields = ("declaration", "by")


@admin.register(TransportDocument)
class TransportDocumentAdmin(EvidenceAdmin):
    list_display = ("number", "declaration", "issued_on", "origin", "destination", jalali("recorded_at", "زمان ثبت"))
    search_fields = ("number", "declaration__serial")
    raw_id_fields = ("declaration", "recorded_by")
    show_full_result_count = False


@admin.register(ArrivalReadReview)
class ArrivalReadReviewAdmin(EvidenceAdmin, ScopedAdmin):
    list_display = ("id", "declaration", "reason", "by", jalali("at", "زمان بررسی"), "supersedes")
    list_filter = ("reason",)
    search_fields = ("declaration__serial",)
    raw_id_fields = ("declaration", "supersedes", "by")
    jalali_fields = ("at",)
