"""Form fields every app's forms use (Jalali dates, several files in one field) and the one way a
domain error becomes a form error."""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.core.validators import MaxLengthValidator
from django.forms.utils import pretty_name
from django.utils import timezone, translation
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import currencies, dates, text
from core.errors import DomainError


def date_box_value(value, *, with_time: bool = False) -> str:
    """What a date box shows, in the page's digits: a date (or a time) as Jalali, ``۱۴۰۴/۰۵/۱۲`` on a
    Persian page and ``1404/05/12`` on an English one; text (what was typed, or came in a link) as it
    is with its digits in the page's script. Every date box reads any script, so what it shows can be
    sent back as it stands."""
    if value is None or value == "":
        return ""
    persian = text.is_persian()
    if isinstance(value, dt.date):
        return dates.format_jalali(value, with_time=with_time and isinstance(value, dt.datetime), persian=persian)
    typed = dates.ascii_digits(str(value))
    return dates.persian_digits(typed) if persian else typed


class JalaliDateField(forms.CharField):
    """A date typed as Jalali ``1404/05/12`` (any digits), shown in the page's digits. Every date field
    of a form is one (a date and time: ``JalaliDateTimeField``)."""

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "placeholder": text.date_hint()}

    def prepare_value(self, value):
        return date_box_value(value)

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        if is_gregorian(value):
            raise forms.ValidationError(
                _("%(text)s is a Gregorian date: enter the Jalali date, like %(example)s.")
                % {"text": text.isolate(value.strip()[:40]), "example": text.date_hint()},
                code="gregorian",
            )
        try:
            return dates.parse_jalali_date(value)
        except ValueError as exc:
            raise forms.ValidationError(
                no_such_day(value) or _("Enter a Jalali date like %(example)s.") % {"example": text.date_hint()}
            ) from exc


def _with_example(message: str, with_time: bool) -> str:
    return _(message) % {"example": text.datetime_hint() if with_time else text.date_hint()}


# A help text whose ``%(example)s`` is the example date of this year (``dates.date_example``), translated and
# filled in when the page is shown (a field's help text is made once, when its form class is).
with_example = lazy(_with_example, str)


def no_such_day(value: str) -> str:
    """``dates.no_such_day``: a well-shaped Jalali date of no such day refused in the API's words."""
    return dates.no_such_day(value)


def is_gregorian(value: str) -> bool:
    """A date typed with a Gregorian year (2026-12-01, 2026/12/01 10:00, in any digits): no Jalali year we
    hold is past 1700, so it is a slip of the calendar, refused by every date box saying so."""
    year = dates.ascii_digits(value.strip())[:4]
    return year.isdigit() and int(year) >= 1700


class JalaliDateTimeField(forms.CharField):
    """``1404/05/12 10:30`` (Tehran time, any digit script), shown in the page's digits; empty is None
    (where the field is optional, the service takes it as now). Every date-and-time field of a form is one.

    ``not_future``: a time more than ``FUTURE_SLACK`` (or ``future_slack``) ahead is refused beside the
    field, with the other fields' errors, rather than by the service once everything else is right (the
    service keeps its own check for the API).

    ``jalali_only`` (the default): a Gregorian date is refused, as a date box (``JalaliDateField``) refuses
    it, saying to type the Jalali one: 2026-12-01 typed by a person is a slip of the calendar, and taking it
    in one box but not the next is no rule a person can learn. ``False`` only where a machine posts the
    form with its own clock in ISO 8601 (a scanner's capture time).

    ``time_required``: a date with no time is refused beside the field (it would be stored as 00:00): where
    the time starts a statutory clock (a case's discovery, a step of it), midnight is hours of it gone."""

    FUTURE_SLACK = dates.CLOCK_SKEW

    def __init__(
        self,
        *args,
        not_future: bool = False,
        future_slack: dt.timedelta | None = None,
        jalali_only: bool = True,
        time_required: bool = False,
        **kwargs,
    ):
        self.not_future = not_future
        if future_slack is not None:  # tighter than a typed time's (a scan's capture: ``scans.services``)
            self.FUTURE_SLACK = future_slack
        self.jalali_only = jalali_only
        self.time_required = time_required
        super().__init__(*args, **kwargs)

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "placeholder": text.datetime_hint()}

    def prepare_value(self, value):
        return date_box_value(value, with_time=True)

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        if self.jalali_only and is_gregorian(value):
            raise forms.ValidationError(
                _("%(text)s is a Gregorian date: enter the Jalali date and time, like %(example)s.")
                % {"text": text.isolate(value.strip()[:40]), "example": text.datetime_hint()},
                code="gregorian",
            )
        try:
            parsed = dates.parse_datetime_any(value)
        except ValueError:
            raise forms.ValidationError(
                no_such_day(value) or _("Enter a date and time like %(example)s.") % {"example": text.datetime_hint()},
                code="invalid",
            ) from None
        if self.time_required and ":" not in value:  # a time is HH:MM; a date alone is midnight
            if parsed < dates.EARLIEST:  # the day itself is refused first: no example made of an impossible day
                raise forms.ValidationError(
                    _("'%(value)s' is out of range (1390 to today)")
                    % {"value": text.isolate(dates.format_jalali(parsed, with_time=False, persian=text.is_persian()))},
                    code="out_of_range",
                )
            day = dates.format_jalali(parsed, with_time=False, persian=False)
            raise forms.ValidationError(
                _("Enter the time too (Tehran time), like %(example)s.") % {"example": text.hint(f"{day} 14:30")},
                code="time_required",
            )
        return parsed

    def validate(self, value):
        super().validate(value)
        if self.not_future and value is not None and value > timezone.now() + self.FUTURE_SLACK:
            raise forms.ValidationError(
                _("The time %(at)s is in the future.") % {"at": dates.format_jalali(value, persian=text.is_persian())},
                code="future",
            )


class PageIntegerField(forms.IntegerField):
    """A whole number typed in any digits (Persian, Arabic-Indic, Latin; thousands grouped with ٬ or , or
    not) and shown in the page's (``page_digits``: the one form style writes it through the ``fa`` filter,
    in a text box with a numeric keyboard; a number input shows and takes Latin digits only)."""

    widget = forms.TextInput
    page_digits = True
    inputmode = "numeric"

    def to_python(self, value):
        if value not in (None, ""):
            value = dates.ascii_digits(str(value)).strip().replace(text.PERSIAN_THOUSANDS, "").replace(",", "")
        return super().to_python(value)


class PageDecimalField(forms.DecimalField):
    """A number with decimals (an amount, a rate, a weight) typed in any digits, Persian, Arabic-Indic or
    Latin: its thousands grouped with ٬ ، or , or not, its decimal point . or ٫; shown in the page's digits
    in a text box with a decimal keyboard (a number input takes Latin digits only). Every decimal field of
    a form is one."""

    widget = forms.TextInput
    page_digits = True
    inputmode = "decimal"

    def to_python(self, value):
        if value not in (None, ""):
            value = dates.ascii_digits(str(value)).strip()
            for mark in (text.PERSIAN_THOUSANDS, "\u060c", ","):  # ٬ ، ,
                value = value.replace(mark, "")
            value = value.replace(text.PERSIAN_DECIMAL, ".")
        return super().to_python(value)


class JalaliYearField(PageIntegerField):
    """A Jalali year typed in any digits and shown in the page's. A Gregorian year (2026 for 1405) is named for
    what it is and the Jalali year asked for, as a date field does, not refused as out of range."""

    GREGORIAN = range(1900, 2201)

    def validate(self, value):
        super().validate(value)
        if value in self.GREGORIAN:
            persian = text.is_persian()
            this_year = dates.jalali_month_of(timezone.now())[0]
            raise forms.ValidationError(
                _("%(year)s is a Gregorian year: enter the Jalali year, like %(example)s.")
                % {
                    "year": dates.persian_digits(value) if persian else value,
                    "example": dates.persian_digits(this_year) if persian else this_year,
                },
                code="gregorian",
            )


def jalali_month_choices() -> list[tuple[int, str]]:
    """The twelve Jalali months by name, in the page's language (their number beside them)."""
    if (translation.get_language() or "fa").startswith("fa"):
        return [(n, f"{dates.persian_digits(n)}. {name}") for n, name in enumerate(dates.JALALI_MONTHS, 1)]
    return [(n, f"{n}. {name}") for n, name in enumerate(dates.JALALI_MONTHS_EN, 1)]


class JalaliMonthField(forms.TypedChoiceField):
    """A Jalali month picked by name (posted as its number, 1-12)."""

    def __init__(self, **kwargs):
        super().__init__(choices=jalali_month_choices, coerce=int, **kwargs)


class _NameOrderIterator(forms.models.ModelChoiceIterator):
    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        # By the label each row shows: a list labelled ``CODE — name`` (the register and permit forms') reads in
        # its codes' order, one labelled by name in its names'.
        rows = sorted(self.queryset, key=lambda row: text.name_sort_key(str(self.field.label_from_instance(row))))
        for row in rows:
            yield self.choice(row)


class NameOrderedChoiceField(forms.ModelChoiceField):
    """A choice of rows (provinces, offices) in the order a reader of the page looks them up in, by their names
    in the page's language (``core.text.name_sort_key``): the database orders them by code point, which puts
    «لرستان» before «کرمان» and «گیلان», and an English page's names in the Persian names' order."""

    iterator = _NameOrderIterator


class StackedRadioSelect(forms.RadioSelect):
    """Radio buttons one per line on every width (``includes/form_fields.html``): for choices with long labels,
    where two side by side read as one and the wrong one gets ticked."""

    stacked = True


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        if not data:
            # Nothing chosen: a required field says so beside itself, with the form's other errors.
            if self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [self._clean_one(f, initial) for f in files]

    def _clean_one(self, data, initial):
        """One file, its refusal (empty, say) naming it as the upload's own refusals do («a.png: …»): one
        file among several, or beside another file's line on the page."""
        try:
            return super().clean(data, initial)
        except forms.ValidationError as exc:
            name = getattr(data, "name", "") or ""
            if not name or getattr(exc, "code", None) == "required":
                raise
            raise forms.ValidationError(
                [f"{text.isolate(name[-200:], 'auto')}: {message}" for message in exc.messages],
                code=getattr(exc, "code", None),
            ) from None


POSTED_NAME_MAX = 40


def posted_name(value) -> str:
    """The name a form posted for its action or for itself (``action``, ``form``), for the message refusing
    a name the page does not have: whoever tampered with the form typed it, so its control and direction
    characters are dropped, it is cut short and isolated (it keeps its order in a Persian sentence); «—»
    when none was posted."""
    name = "".join(ch for ch in str(value or "") if not text.hidden_characters(ch)).strip()
    if not name:
        return "—"
    if len(name) > POSTED_NAME_MAX:
        name = name[:POSTED_NAME_MAX] + "…"
    return text.isolate(name)


def apply_error(form: forms.Form, exc: DomainError) -> None:
    """Put a domain error on the field it names, or on the form."""
    for name in exc.fields:
        if name in form.fields:
            form.add_error(name, str(exc))
            return
    form.add_error(None, str(exc))


# Django's own messages for a field's limits, each naming the limit as the page writes numbers (Django puts
# ASCII digits into the Persian sentence): (the field's attribute, the message's code, the message).
_LIMIT_MESSAGES = (
    ("min_value", "min_value", gettext_lazy("The value must be at least %(n)s.")),
    ("max_value", "max_value", gettext_lazy("The value must be at most %(n)s.")),
    ("max_digits", "max_digits", gettext_lazy("At most %(n)s digits in all.")),
    ("decimal_places", "max_decimal_places", gettext_lazy("At most %(n)s digits after the decimal point.")),
)


# Django's own «Select a valid choice. %(value)s is not one of the available choices.» (of each choice field):
# it echoed the raw value sent («13», «-deadline») in Latin in the middle of a Persian sentence.
_DJANGO_INVALID_CHOICE = {
    id(cls.default_error_messages["invalid_choice"])
    for cls in (forms.ChoiceField, forms.MultipleChoiceField, forms.ModelChoiceField, forms.ModelMultipleChoiceField)
}


def name_invalid_choices(form: forms.BaseForm) -> None:
    """Give each choice field of ``form`` that keeps Django's message for a value that is none of its choices
    one naming the field instead of the value (a field with a message of its own keeps it)."""
    for name, field in form.fields.items():
        if id(field.error_messages.get("invalid_choice")) in _DJANGO_INVALID_CHOICE:
            field.error_messages["invalid_choice"] = _(
                "Select a valid choice. That %(field)s is not one of those listed."
            ) % {"field": field.label or name}


def limits_in_page_digits(form: forms.BaseForm) -> None:
    """Give each field of ``form`` messages for its limits written in the page's digits (a number's bounds, a
    decimal's digits, a text's length), and for a choice none of its own (``name_invalid_choices``)."""
    name_invalid_choices(form)
    for field in form.fields.values():
        for attr, code, message in _LIMIT_MESSAGES:
            limit = getattr(field, attr, None)
            if limit is not None:
                field.error_messages[code] = str(message) % {"n": text.format_number(limit)}
        if isinstance(field, forms.DecimalField) and field.decimal_places == 0:
            field.error_messages["max_decimal_places"] = _("Enter a whole number, without decimals.")
        if isinstance(field, forms.DecimalField) and field.max_digits is not None and field.decimal_places is not None:
            whole = field.max_digits - field.decimal_places
            field.error_messages["max_whole_digits"] = _("At most %(n)s digits before the decimal point.") % {
                "n": text.format_number(whole)
            }
        if isinstance(field, forms.CharField) and field.max_length is not None:
            # Django's validator knows the count written but not the page's digits: the one wording instead.
            field.error_messages.pop("max_length", None)
            field.validators = [v for v in field.validators if not isinstance(v, MaxLengthValidator)]
            field.validators.append(WithinLength(field.max_length))


class WithinLength(MaxLengthValidator):
    """A text field's length check saying what every length refusal says (``core.text.too_long``). A
    ``MaxLengthValidator`` still, so a form that refuses a long value in words of its own (the plate boxes)
    drops this one as it drops Django's."""

    def __call__(self, value) -> None:
        if error := text.too_long(str(value), self.limit_value):
            raise forms.ValidationError(error, code="max_length")


class CurrencyField(forms.CharField):
    """A currency by its ISO 4217 code (``core.currencies``), typed in either case; refused beside the field
    when it is no currency's code."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 3)
        kwargs.setdefault("help_text", lazy(currencies.help_text, str)())
        kwargs.setdefault("widget", forms.TextInput(attrs={"dir": "ltr", "spellcheck": "false"}))
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return value
        try:
            return currencies.check_currency(value)
        except DomainError as exc:
            raise forms.ValidationError(str(exc), code="currency") from None


# Django's own «This field is required.» and «Enter a whole number.» / «Enter a number.»: the same words beside
# whichever field, none saying which (a form with a dozen radio groups, a formset's rows).
_DJANGO_REQUIRED = id(forms.Field.default_error_messages["required"])
_DJANGO_INVALID_NUMBER = {
    id(cls.default_error_messages["invalid"]) for cls in (forms.IntegerField, forms.DecimalField, forms.FloatField)
}
# Fields one chooses rather than types: a list, radio buttons, a box to tick, a file.
_CHOSEN = (forms.ChoiceField, forms.BooleanField, forms.FileField)


def name_required_fields(form: forms.BaseForm) -> None:
    """Give each field of ``form`` that keeps Django's message for a value left out one naming the field
    (``«موضوع» را وارد کنید.``, or ``… را انتخاب کنید.`` for a field one chooses: a list, a box, a file), and each number field keeping
    Django's message for text that is no number one naming it too. A field with a message of its own keeps it."""
    for name, field in form.fields.items():
        label = field.label or pretty_name(name)
        messages = field.error_messages
        if id(messages.get("required")) == _DJANGO_REQUIRED:
            chosen = isinstance(field, _CHOSEN) or isinstance(
                field.widget, forms.widgets.ChoiceWidget | forms.CheckboxInput
            )
            messages["required"] = (_("Choose “%(field)s”.") if chosen else _("Enter “%(field)s”.")) % {"field": label}
        if id(messages.get("invalid")) in _DJANGO_INVALID_NUMBER:
            whole = isinstance(field, forms.IntegerField) and not isinstance(
                field, forms.DecimalField | forms.FloatField
            )
            message = _("“%(field)s” must be a whole number.") if whole else _("“%(field)s” must be a number.")
            messages["invalid"] = message % {"field": label}


class PageFormMixin:
    """What makes a form one of the page's (every form a person fills in, Django's own login and password forms
    included; the admin's keep Django's words): its limits' messages in the page's digits
    (``limits_in_page_digits``) and its errors naming their field (``name_required_fields``, when it is checked:
    a form adds fields in its ``__init__``, and the page's language is the request's)."""

    fields: dict[str, forms.Field]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limits_in_page_digits(self)  # type: ignore[arg-type]

    def full_clean(self) -> None:
        name_required_fields(self)  # type: ignore[arg-type]
        super().full_clean()  # type: ignore[misc]


class PageForm(PageFormMixin, forms.Form):
    """A form shown on a page (``PageFormMixin``)."""


class PageModelForm(PageFormMixin, forms.ModelForm):
    """A model form shown on a page (``PageFormMixin``)."""


# A primary key as the database holds it (a signed 64-bit integer; SQLite refuses a bigger one outright).
MAX_ID = 2**63 - 1
_ID = re.compile(r"[0-9]{1,19}")


def id_or_none(value) -> int | None:
    """A record id written in a query string or a form (ASCII digits), or None when ``value`` is none:
    never an exception, for '²', '١٢', '-1' or ten thousand digits."""
    text_value = str(value if value is not None else "").strip()
    if not _ID.fullmatch(text_value):
        return None
    number = int(text_value)
    return number if 0 < number <= MAX_ID else None


# A range that ends before it starts holds nothing: refused beside its end (400), never answered with an
# empty list as though nothing had happened in it.
RANGE_BACKWARDS = gettext_lazy("The end of the period is before its start.")


def range_backwards(start, end, *, end_exclusive: bool = False) -> bool:
    """Does the range from ``start`` to ``end`` end before it starts? Both ends counted (days: the same day
    twice is that one day) unless ``end_exclusive`` (a window up to ``end``: the same time twice holds
    nothing). A range open at either end never is."""
    if start is None or end is None:
        return False
    return end <= start if end_exclusive else end < start


def check_range(form: forms.Form, start: str, end: str, *, end_exclusive: bool = False, message=RANGE_BACKWARDS):
    """In ``form.clean``: the range of fields ``start``..``end`` refused beside ``end`` when it ends before it
    starts (``range_backwards``)."""
    data = form.cleaned_data
    if range_backwards(data.get(start), data.get(end), end_exclusive=end_exclusive):
        form.add_error(end, message)


class ListFilterForm(PageForm):
    """The filters of a list page, read from its query string (``read_filters``). A value that is not one
    of a field's choices is an error beside that field: the page answers 400 with no rows, never the
    whole list in place of the part asked for. An absent or empty value is the page's default."""

    def error_lines(self) -> list[tuple[str, str]]:
        """(the field's label, its error) for each error, for a page whose filters are tabs or links."""
        return [(str(self.fields[name].label), str(e)) for name, errors in self.errors.items() for e in errors]


def read_filters(form_class: type[ListFilterForm], request, **kwargs) -> tuple[ListFilterForm, dict | None]:
    """The list's filter form and its cleaned data; None for the data when a filter is not valid."""
    form = form_class(request.GET, **kwargs)
    return form, (form.cleaned_data if form.is_valid() else None)


# A yes/no filter written in a link (``?overdue=1``): "1" yes, "0" or nothing no; anything else an error.
FLAG_CHOICES = [("", "—"), ("0", gettext_lazy("no")), ("1", gettext_lazy("yes"))]


def flag_field(label) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label, required=False, choices=FLAG_CHOICES, coerce=lambda v: v == "1", empty_value=""
    )  # nothing given: "" (no, as "0" is)
