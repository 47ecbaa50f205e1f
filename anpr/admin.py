"""Admin for cameras (with token rotation) and read-only views of reads, labels, model versions and training runs."""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.admin_utils import EvidenceAdmin, JalaliAdmin, JalaliFields, jalali, number
from core.countries import country_name
from core.errors import DomainError
from declarations import idents
from declarations.arrival_reads import reason_error
from declarations.idents import camera_html, plate_html

from . import services
from .models import Camera, PlateLabel, PlateMatch, PlateRead, RecognitionModel, TrainingRun


class CameraHealthFilter(admin.ChoicesFieldListFilter):
    """The health filter: a retired camera has no health, so none of its choices (not «not checked») lists it."""

    def queryset(self, request, queryset):
        filtered = super().queryset(request, queryset)
        return filtered.in_service() if self.used_parameters else filtered


@admin.register(Camera)
class CameraAdmin(JalaliAdmin):
    # Fits a 1366 px screen beside the filters: a camera's TIR park is on its page, its status and health share a
    # column (``state_shown``), the headers are short, and an office's long name may wrap (Django holds a foreign
    # key's cell on one line) while the code, an identifier, is held on one line.
    list_display = [
        "code_shown",
        "office_shown",
        number("lane", _("lane")),
        "direction",
        "state_shown",
        jalali("last_read_at", _("last read")),
        "token_shown",
    ]
    list_select_related = ["office"]
    list_filter = ["status", ("health", CameraHealthFilter), "direction", "office__province"]
    search_fields = ["code", "office__code", "office__name_fa"]
    readonly_fields = [
        "token_start",
        "token_expires_at",
        "last_read_at",
        "health",
        "silent_since",
        "health_checked_at",
        "created_at",
        # Retired through ``retire_cameras`` (the service the camera's page uses, audited, saying why), not by a
        # Gregorian box and a status picked here.
        "retired_at",
        "retired_reason",
        "retired_by",
    ]
    # In Jalali, Tehran time, as the camera's page gives them, each in its row.
    jalali_fields = (
        "last_read_at",
        "silent_since",
        "health_checked_at",
        "token_expires_at",
        "created_at",
        "retired_at",
    )
    actions = ["rotate_token", "retire_cameras"]

    class Media:
        css = {"all": ["anpr/admin.css"]}  # the admin loads no app.css: its rule holding identifiers on one line

    @admin.display(description=_("code"), ordering="code")
    def code_shown(self, obj: Camera):
        return camera_html(obj)

    @admin.display(description=_("office"), ordering="office__name_fa")
    def office_shown(self, obj: Camera) -> str:
        return str(obj.office)

    @admin.display(description=_("state"), ordering="status")
    def state_shown(self, obj: Camera) -> str:
        """Health for a camera in service; a camera under maintenance or retired says that instead (nothing is
        expected of it)."""
        return obj.get_health_display() if obj.status == Camera.Status.ACTIVE else obj.get_status_display()

    @admin.display(description=_("token"), ordering="token_prefix")
    def token_shown(self, obj: Camera) -> str:
        return self.token_start(obj)

    @admin.display(description=_("token starts with"), ordering="token_prefix")
    def token_start(self, obj: Camera) -> str:
        """Isolated left to right, as the camera's page shows it (a trailing «_» ran to its other end)."""
        return format_html("<code>{}</code>", idents.token_start_html(obj.token_prefix)) if obj.token_prefix else "—"

    @admin.display(description=_("health"), ordering="health")
    def health_shown(self, obj: Camera) -> str:
        """A retired camera has no health (nothing is expected of it): it says it is out of service, as the
        cameras' page does, not «not checked»."""
        return obj.get_status_display() if obj.status == Camera.Status.RETIRED else obj.get_health_display()

    def has_change_permission(self, request, obj=None):
        """A retired camera is evidence of where reads came from: retirement is final (``camera_retire``), so its
        page is read-only (a camera put back is registered again)."""
        if obj is not None and obj.status == Camera.Status.RETIRED:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.status == Camera.Status.RETIRED:
            return False
        return super().has_delete_permission(request, obj)

    def get_fields(self, request, obj=None):
        """A retired camera's page says it is out of service (and, in its rows, when and why) where its health
        was, without the health check's times: nothing is expected of it."""
        fields = list(super().get_fields(request, obj))
        if obj is None or obj.status != Camera.Status.RETIRED:
            return fields
        dropped = {"health_checked_at", "health_checked_at_when", "silent_since", "silent_since_when"}
        return ["health_shown" if f == "health" else f for f in fields if f not in dropped]

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        if obj is not None and obj.status == Camera.Status.RETIRED:
            return (*fields, "status")  # retired for good: a camera put back is registered again
        return fields

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "status":  # retiring is the action's, which asks why
            kwargs["choices"] = [(v, label) for v, label in Camera.Status.choices if v != Camera.Status.RETIRED]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not change:
            # New cameras get a token; shown once here, stored only hashed.
            from .models import new_token

            token = new_token()
            obj.set_token(token, services.camera_token_expiry())
            super().save_model(request, obj, form, change)
            messages.warning(
                request,
                _("Token of camera %(code)s (shown once): %(token)s")
                % {"code": idents.camera_text(obj), "token": token},
            )
            return
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Take the selected cameras out of service"))
    def retire_cameras(self, request, queryset):
        """Asks why (one reason for all), then retires each through ``services.camera_retire``, as the camera's
        page does: checked, audited under the admin's user; a camera already retired is refused and named."""
        reason = request.POST.get("reason", "")
        error = ""
        if "apply" in request.POST:
            if not reason.strip():
                error = str(_("Say why the camera is retired."))
            elif short := reason_error(reason, str(_("reason for retiring"))):
                error = short
            else:
                for camera in queryset.select_related("office"):
                    try:
                        services.camera_retire(camera=camera, by=request.user, reason=reason)
                    except DomainError as exc:
                        self.message_user(request, str(exc), messages.ERROR)
                    else:
                        self.message_user(
                            request,
                            _("Camera %(code)s is out of service.") % {"code": idents.camera_text(camera)},
                            messages.SUCCESS,
                        )
                return None
        return TemplateResponse(
            request,
            "admin/anpr/camera/retire.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Take out of service"),
                "opts": self.model._meta,
                "cameras": list(queryset.select_related("office")),
                "reason": reason,
                "error": error,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            },
        )

    @admin.action(description=_("Issue a new token (the old one stops working)"))
    def rotate_token(self, request, queryset):
        for camera in queryset:
            try:
                camera, token = services.camera_rotate_token(camera=camera, by=request.user)
            except DomainError as exc:  # a retired camera: said on the list, the others still get theirs
                self.message_user(request, str(exc), messages.ERROR)
                continue
            messages.warning(
                request,
                _("Token of camera %(code)s (shown once): %(token)s")
                % {"code": idents.camera_text(camera), "token": token},
            )


class PlateMatchInline(JalaliFields, admin.TabularInline):
    model = PlateMatch
    extra = 0
    can_delete = False
    readonly_fields = [
        "declaration",
        "vehicle_plate",
        "score",
        "exact",
        "on_route",
        "at_destination",
        "matched_at",
        "reviewed_at",
    ]
    raw_id_fields = ["declaration"]
    jalali_fields = ("matched_at", "reviewed_at")


@admin.register(PlateRead)
class PlateReadAdmin(EvidenceAdmin, JalaliAdmin):
    list_display = [
        "id",
        jalali("captured_at", _("captured at")),
        "camera",
        "plate",
        "plate_raw",
        "ocr_raw",
        "recognition",
        "match_state",
    ]
    list_filter = ["recognition", "match_state"]
    search_fields = ["=plate", "=client_event_id"]
    raw_id_fields = ["camera", "office", "vehicle"]
    inlines = [PlateMatchInline]
    show_full_result_count = False  # COUNT(*) over tens of millions of rows on every page
    jalali_fields = ("captured_at", "received_at")


@admin.register(PlateLabel)
class PlateLabelAdmin(EvidenceAdmin, JalaliAdmin):
    """What people read: append-only (a second reading is a new label), made on the review page."""

    list_display = [
        number("id", _("number")),
        jalali("at", _("at")),
        "camera",
        "label_plate",
        "label_country",
        "layout",
        "label_plate_before",
        "corrected",
        "reason",
        "by",
    ]
    list_filter = ["reason", "corrected", "layout"]
    search_fields = ["=plate", "=read__id"]
    raw_id_fields = ["read", "camera", "office", "by"]
    show_full_result_count = False
    jalali_fields = ("captured_at", "at")

    # Plates as the pages write them (isolated: «۱۲ ب ۳۴۵ - ایران ۶۸» keeps its order in any line), the
    # nationality by its name.
    @admin.display(description=_("plate"), ordering="plate")
    def label_plate(self, label):
        return plate_html(label.plate, label.country)

    @admin.display(description=_("nationality"), ordering="country")
    def label_country(self, label):
        return country_name(label.country)

    @admin.display(description=_("plate before"), ordering="plate_before")
    def label_plate_before(self, label):
        return plate_html(label.plate_before, label.country) or "—"


@admin.register(RecognitionModel)
class RecognitionModelAdmin(EvidenceAdmin, JalaliAdmin):
    """Model versions: put in use or rolled back on the models page (audited), never edited here."""

    list_display = [
        "version",
        "engine",
        "source",
        jalali("created_at", _("created at")),
        "promoted",
        jalali("promoted_at", _("put in use at")),
        "sha256",
    ]
    list_filter = ["source", "promoted"]
    jalali_fields = ("created_at", "promoted_at")


@admin.register(TrainingRun)
class TrainingRunAdmin(EvidenceAdmin, JalaliAdmin):
    list_display = [
        "id",
        jalali("created_at", _("created at")),
        "state",
        "progress",
        "started_by",
        "candidate",
        "promoted",
        "outcome",
    ]
    list_filter = ["state"]
    jalali_fields = ("created_at", "started_at", "finished_at")
