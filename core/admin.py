"""The audit trail in the admin: read-only, and never a reader's own entries (``core.audit.visible_to``);
the official holidays of the working-day calendar, kept by headquarters; for the IT office, read-only,
the follow-up jobs waiting in the outbox for the broker and the archived monthly partitions."""

from auditlog.admin import LogEntryAdmin
from auditlog.models import LogEntry
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin_utils import EvidenceAdmin
from core.audit import visible_to
from core.dates import format_jalali
from core.models import Holiday, OutboxJob, PartitionArchive

admin.site.unregister(LogEntry)


@admin.register(LogEntry)
class AuditEntryAdmin(EvidenceAdmin, LogEntryAdmin):
    """Shown, never added, changed or deleted; a reader's own entries are not among them (nor on the page)."""

    def get_queryset(self, request):
        return visible_to(super().get_queryset(request), request.user)


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    """Headquarters keeps the official holidays: a lunar date moved by the moon sighting, a holiday
    the government declares. The working-day clocks (``core.workdays``) read the table as it is."""

    # The date once, in Jalali: no Gregorian column, no drill-down by Gregorian year and month (the list is in
    # date order; a holiday is found by its name).
    list_display = ("jalali_date", "name", "lunar", "note")
    list_filter = ("lunar",)
    search_fields = ("name",)

    @admin.display(description=_("date"), ordering="date")
    def jalali_date(self, obj):
        return format_jalali(obj.date, with_time=False)

    # Headquarters (and superusers) edit it even without model permissions; IT only reads it.
    def _hq(self, request) -> bool:
        user = request.user
        return bool(user.is_active and (user.is_superuser or getattr(user, "role", "") == "hq"))

    def has_view_permission(self, request, obj=None):
        return self._hq(request) or super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return self._hq(request)

    def has_change_permission(self, request, obj=None):
        return self._hq(request)

    def has_delete_permission(self, request, obj=None):
        return self._hq(request)

    def has_module_permission(self, request):
        return self._hq(request) or super().has_module_permission(request)


class _OperatorsReadOnly(admin.ModelAdmin):
    """What the IT office and headquarters look at when something waits or was archived; nobody edits it
    here (the outbox is sent by its sweeper or ``manage.py outbox --send``; archives by ``partitions``)."""

    def _operator(self, request) -> bool:
        user = request.user
        return bool(user.is_active and (user.is_superuser or getattr(user, "role", "") in ("hq", "it")))

    def has_view_permission(self, request, obj=None):
        return self._operator(request)

    def has_module_permission(self, request):
        return self._operator(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class _Waiting(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("waiting", _("waiting for the broker")), ("sent", _("sent"))]

    def queryset(self, request, queryset):
        if self.value() == "waiting":
            return queryset.filter(sent_at__isnull=True)
        if self.value() == "sent":
            return queryset.filter(sent_at__isnull=False)
        return queryset


@admin.register(OutboxJob)
class OutboxJobAdmin(_OperatorsReadOnly):
    list_display = ("task_name", "created", "tries", "sent", "error")
    list_filter = (_Waiting,)
    search_fields = ("task", "task_id")
    ordering = ("-created_at",)

    @admin.display(description=_("job"), ordering="task")
    def task_name(self, obj):
        return obj.task

    @admin.display(description=_("queued at"), ordering="created_at")
    def created(self, obj):
        return format_jalali(obj.created_at)

    @admin.display(description=_("attempts"), ordering="attempts")
    def tries(self, obj):
        return obj.attempts

    @admin.display(description=_("sent at"), ordering="sent_at")
    def sent(self, obj):
        return format_jalali(obj.sent_at) if obj.sent_at else "—"

    @admin.display(description=_("last error"))
    def error(self, obj):
        return obj.last_error[:120]


@admin.register(PartitionArchive)
class PartitionArchiveAdmin(_OperatorsReadOnly):
    list_display = ("partition", "table", "range_start", "range_end", "rows", "sha256", "kept_in_database")
    list_filter = ("table",)
    ordering = ("table", "range_start")
