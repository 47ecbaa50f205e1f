"""The audit trail in the admin: read-only, and never a reader's own entries (``core.audit.visible_to``);
the official holidays of the working-day calendar, kept by headquarters."""

from auditlog.admin import LogEntryAdmin
from auditlog.models import LogEntry
from django.contrib import admin

from core.audit import visible_to
from core.dates import format_jalali
from core.models import Holiday

admin.site.unregister(LogEntry)


@admin.register(LogEntry)
class AuditEntryAdmin(LogEntryAdmin):
    def get_queryset(self, request):
        return visible_to(super().get_queryset(request), request.user)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    """Headquarters keeps the official holidays: a lunar date moved by the moon sighting, a holiday
    the government declares. The working-day clocks (``core.workdays``) read the table as it is."""

    list_display = ("date", "jalali_date", "name", "lunar", "note")
    list_filter = ("lunar",)
    search_fields = ("name",)
    date_hierarchy = "date"

    @admin.display(description="تاریخ شمسی", ordering="date")
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
