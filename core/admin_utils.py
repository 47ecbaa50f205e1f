"""Admin helpers: Jalali date columns (in the page's digits) for any datetime field; number columns in the page's
digits; a list filter under a translated title; read-only evidence."""

from django.contrib import admin

from core.dates import format_jalali
from core.text import EMPTY, digits, is_persian


def jalali(field_name: str, label=None):
    """A list_display column showing ``field_name`` as a Jalali date-time in Tehran time, in the page's digits."""

    @admin.display(description=label or field_name, ordering=field_name)
    def column(obj):
        return format_jalali(getattr(obj, field_name), persian=is_persian())

    column.__name__ = f"{field_name}_jalali"
    return column


def number(field_name: str, label):
    """A list_display column showing the number in ``field_name`` in the page's digits (Persian on a Persian
    page), under ``label``: the admin writes a number field's value in Latin digits whatever the language."""

    @admin.display(description=label, ordering=field_name)
    def column(obj):
        return digits(getattr(obj, field_name))

    column.__name__ = f"{field_name}_number"
    return column


def titled(filter_class: type[admin.FieldListFilter], title) -> type[admin.FieldListFilter]:
    """``filter_class`` under ``title``, for ``list_filter = [("field", titled(...))]``: the filter of a
    third-party model's field is otherwise titled by its verbose name, which the package does not translate."""

    class Titled(filter_class):  # type: ignore[valid-type,misc]
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.title = title

    Titled.__name__ = f"Titled{filter_class.__name__}"
    return Titled


class JalaliFields(admin.options.BaseModelAdmin):
    """Shows every datetime field of ``jalali_fields`` (a model admin's, ``JalaliAdmin``, or an inline's) in Jalali,
    Tehran time: read-only beside the editable one («… (شمسی)») where it can be changed, and in its place, under
    its own name, where it cannot (on a read-only page, or a field of ``readonly_fields`` on a page that changes
    the rest), where Django writes it «2025-03-10 06:00:00+00:00» or «10 مارس 2025، ساعت 9:30»; a field the form
    leaves out (a time set when the row is made) included."""

    jalali_fields: tuple[str, ...] = ()

    def _read_only(self, request, obj) -> bool:
        return not self.has_change_permission(request, obj)

    def _in_place(self, request, obj) -> set[str]:
        """The fields of ``jalali_fields`` shown in their own row, in Jalali only."""
        if self._read_only(request, obj):
            return set(self.jalali_fields)
        return set(self.jalali_fields) & set(super().get_readonly_fields(request, obj))

    def get_readonly_fields(self, request, obj=None):
        in_place = self._in_place(request, obj)
        shown = (f"{f}_when" if f in in_place else f"{f}_jalali" for f in self.jalali_fields)
        return (*super().get_readonly_fields(request, obj), *shown)

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        in_place = self._in_place(request, obj)
        if not in_place:
            return fields
        when = [f"{f}_when" for f in self.jalali_fields if f in in_place]
        fields = [f"{f}_when" if f in in_place else f for f in fields if f not in when]
        return [*fields, *(w for w in when if w not in fields)]

    def __getattr__(self, name):
        for suffix in ("_jalali", "_when"):
            field = name[: -len(suffix)] if name.endswith(suffix) else ""
            if field and field in type(self).jalali_fields:
                verbose = self.model._meta.get_field(field).verbose_name
                if suffix == "_jalali":
                    return jalali(field, f"{verbose} (شمسی)")
                return _when(field, verbose)
        raise AttributeError(name)


class JalaliAdmin(JalaliFields, admin.ModelAdmin):
    """A model's admin whose ``jalali_fields`` are shown in Jalali (``JalaliFields``)."""


def _when(field_name: str, label):
    """A read-only row of a change page: ``field_name`` in Jalali Tehran time under ``label``, «—» if none."""

    @admin.display(description=label)
    def row(obj):
        value = getattr(obj, field_name)
        return format_jalali(value, persian=is_persian()) if value is not None else EMPTY

    row.__name__ = f"{field_name}_when"
    return row


class EvidenceAdmin(admin.ModelAdmin):
    """Evidence (reads, photos, scans, comparisons, arrival evidence, timeline events, sent letters,
    attachments, audit entries) is shown and never added, changed or deleted in the admin, by
    anybody, superusers included: a correction is a new record that points at what it corrects.

    Without change permission Django shows the change form read-only and refuses its POST (403);
    without delete permission the delete page is 403 and the bulk delete action is not offered.
    """

    evidence = True  # the admin test walks the registry for this flag

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
