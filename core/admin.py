"""The audit trail in the admin: read-only, and never a reader's own entries (``core.audit.visible_to``);
the official holidays of the working-day calendar, kept by headquarters; for the IT office, read-only,
the follow-up jobs waiting in the outbox for the broker and the archived monthly partitions."""

from auditlog.admin import LogEntryAdmin
from auditlog.filters import CIDFilter, ResourceTypeFilter
from auditlog.models import LogEntry
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.admin_utils import EvidenceAdmin, jalali
from core.audit import visible_to
from core.dates import format_jalali
from core.holidays_data import note_text
from core.models import Holiday, OutboxJob, PartitionArchive
from core.text import is_persian, name_sort_key

admin.site.unregister(LogEntry)

# Changed fields named in a row of the list; the entry's page gives them all.
_FIELDS_IN_A_ROW = 6


class _RecordKindFilter(ResourceTypeFilter):
    """auditlog's filter by kind of record, titled in the page's language and each kind by its model's name
    (auditlog offers «monthlyreturn», «user»), in the page's alphabet."""

    title = _("kind of record")

    def lookups(self, request, model_admin):
        kinds = []
        for pk, model_name in super().lookups(request, model_admin):
            model = ContentType.objects.get_for_id(pk).model_class()
            kinds.append((pk, str(model._meta.verbose_name) if model else model_name))
        return sorted(kinds, key=lambda kind: name_sort_key(kind[1]))


class _CorrelationFilter(CIDFilter):
    title = _("correlation id")


@admin.register(LogEntry)
class AuditEntryAdmin(EvidenceAdmin, LogEntryAdmin):
    """Shown, never added, changed or deleted; a reader's own entries are not among them (nor on the page).

    In the page's language, as the audit trail's page: its time in Jalali (Tehran), who did it (the system
    when nobody), the record by its kind's name, the fields changed by their names. No drill-down by
    Gregorian year and month (the audit page filters by Jalali dates)."""

    list_display = (
        jalali("timestamp", _("time")),
        "entry_actor",
        "entry_action",
        "entry_record",
        "entry_fields",
        "entry_correlation",
    )
    list_filter = ["action", _RecordKindFilter, _CorrelationFilter]
    date_hierarchy = None
    readonly_fields = ["entry_time", "entry_actor", "entry_record", "entry_correlation", "entry_action", "msg"]
    fieldsets = [
        (None, {"fields": ["entry_time", "entry_actor", "entry_record", "entry_correlation"]}),
        (_("what changed"), {"fields": ["entry_action", "msg"]}),
    ]

    def get_queryset(self, request):
        return visible_to(super().get_queryset(request), request.user)

    @admin.display(description=_("time"), ordering="timestamp")
    def entry_time(self, entry):
        return format_jalali(entry.timestamp)

    @admin.display(description=_("actor"), ordering="actor")
    def entry_actor(self, entry):
        if entry.actor is None:
            return _("system")
        return self.user_url(entry)

    @admin.display(description=_("action"), ordering="action")
    def entry_action(self, entry):
        return entry.get_action_display()

    @admin.display(description=_("object"))
    def entry_record(self, entry):
        model = entry.content_type.model_class()
        kind = model._meta.verbose_name if model else entry.content_type.model
        url = None
        if model is not None:
            try:
                url = reverse(
                    f"admin:{entry.content_type.app_label}_{entry.content_type.model}_change",
                    args=[entry.object_pk if entry.object_id is None else entry.object_id],
                )
            except NoReverseMatch:
                url = None
        if url:
            return format_html('{}: <a href="{}">{}</a>', kind, url, entry.object_repr)
        return format_html("{}: {}", kind, entry.object_repr)

    @admin.display(description=_("what changed"))
    def entry_fields(self, entry):
        """The fields the entry changed, by their names in the page's language (not a new row's id, nor a
        reverse relation: each of its rows has its own entry)."""
        if entry.action in (LogEntry.Action.DELETE, LogEntry.Action.ACCESS):
            return ""
        try:
            names = list(entry.changes_dict or {})
        except Exception:  # stored text that is no JSON: shown on the entry's page as stored
            return ""
        model = entry.content_type.model_class()
        if model is not None:  # PostgreSQL's jsonb keeps keys in its own order: show them in the model's
            order = {f.name: i for i, f in enumerate(model._meta.get_fields())}
            names.sort(key=lambda name: order.get(name, len(order)))
        labels = []
        for name in names:
            try:
                field = model._meta.get_field(name) if model else None
            except FieldDoesNotExist:
                field = None
            if field is not None and not hasattr(field, "verbose_name"):
                continue  # a reverse relation
            if name == "id":
                continue
            labels.append(str(field.verbose_name) if field is not None else name)
        more = "، …" if is_persian() else ", …"
        shown = ("، " if is_persian() else ", ").join(labels[:_FIELDS_IN_A_ROW])
        return shown + (more if len(labels) > _FIELDS_IN_A_ROW else "")

    @admin.display(description=_("correlation id"))
    def entry_correlation(self, entry):
        return self.cid_url(entry)


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    """Headquarters keeps the official holidays: a lunar date moved by the moon sighting, a holiday
    the government declares. The working-day clocks (``core.workdays``) read the table as it is."""

    # The date once, in Jalali: no Gregorian column, no drill-down by Gregorian year and month (the list is in
    # date order; a holiday is found by its name).
    list_display = ("jalali_date", "name", "lunar", "source")
    list_filter = ("lunar",)
    search_fields = ("name",)

    @admin.display(description=_("date"), ordering="date")
    def jalali_date(self, obj):
        return format_jalali(obj.date, with_time=False)

    @admin.display(description=_("source or note"), ordering="note")
    def source(self, obj):
        # A shipped row's source in the reader's language (the lunar ones are stored in English).
        return note_text(obj.note)

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
