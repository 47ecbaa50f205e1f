"""Form fields every app's forms use (Jalali dates, several files in one field) and the one way a
domain error becomes a form error."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import dates, text
from core.errors import DomainError


class JalaliDateField(forms.CharField):
    """A date typed as Jalali ``1404/05/12`` (any digits). Every date field of a form is one
    (a date and time: ``JalaliDateTimeField``)."""

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "placeholder": text.hint(dates.DATE_EXAMPLE)}

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            return dates.parse_jalali_date(value)
        except ValueError as exc:
            raise forms.ValidationError(_("Enter a Jalali date like 1404/05/12.")) from exc


class JalaliDateTimeField(forms.CharField):
    """``1404/05/12 10:30`` (Tehran time, any digit script) or ISO 8601; empty is None (where the
    field is optional, the service takes it as now). Every date-and-time field of a form is one."""

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "placeholder": text.hint(dates.DATETIME_EXAMPLE)}

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            return dates.parse_datetime_any(value)
        except ValueError:
            raise forms.ValidationError(
                gettext_lazy("Enter a date and time like 1404/05/12 10:30."), code="invalid"
            ) from None


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


def apply_error(form: forms.Form, exc: DomainError) -> None:
    """Put a domain error on the field it names, or on the form."""
    for name in exc.fields:
        if name in form.fields:
            form.add_error(name, str(exc))
            return
    form.add_error(None, str(exc))
