"""Admin helpers: Jalali date columns (Persian digits) for any datetime field; number columns in the page's
digits; a list filter under a translated title; read-only evidence."""

from django.contrib import admin

from core.dates import format_jalali
from core.text import digits


def jalali(field_name: str, label=None):
    """A list_display column showing ``field_name`` as a Jalali date-time in Tehran time."""

    @admin.display(description=label or field_name, ordering=field_name)
    def column(obj):
        return format_jalali(getattr(obj, field_name))

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


class JalaliAdmin(admin.ModelAdmin):
    """Shows every datetime field of ``jalali_fields`` read-only in Jalali beside the editable one."""

    jalali_fields: tuple[str, ...] = ()

    def get_readonly_fields(self, request, obj=None):
        return (*super().get_readonly_fields(request, obj), *(f"{f}_jalali" for f in self.jalali_fields))

    def __getattr__(self, name):
        if name.endswith("_jalali") and name[: -len("_jalali")] in type(self).jalali_fields:
            field = name[: -len("_jalali")]
            verbose = self.model._meta.get_field(field).verbose_name
            return jalali(field, f"{verbose} (شمسی)")
        raise AttributeError(name)


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
