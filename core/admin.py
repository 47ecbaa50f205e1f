"""The audit trail in the admin: read-only, and never a reader's own entries (``core.audit.visible_to``)."""

from auditlog.admin import LogEntryAdmin
from auditlog.models import LogEntry
from django.contrib import admin

from core.audit import visible_to

admin.site.unregister(LogEntry)


@admin.register(LogEntry)
class AuditEntryAdmin(LogEntryAdmin):
    def get_queryset(self, request):
        return visible_to(super().get_queryset(request), request.user)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
