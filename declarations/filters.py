"""The declaration list's filters, shared by the page, the exports and the API.

Every filter is chosen to hit an index at 10M rows: offices and provinces through
the (office, status, declared_at) composites, signals through their partial
indexes, search through the unique serial, the waybill index, the vehicle's plate
and (on PostgreSQL) a GIN index on the seal numbers.
"""

from __future__ import annotations

import datetime as dt

import django_filters
from django import forms
from django.db import connection
from django.db.models import Q
from django.db.models.functions import Reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import CustomsOffice, Province
from core import dates, text
from core.api import ApiFilterSet
from core.forms import (
    JalaliDateTimeField,
    NameOrderedChoiceField,
    PageForm,
    check_range,
    date_box_value,
    is_gregorian,
)
from core.text import date_hint, identifier, isolate

from . import ageing, monitoring, plates, scan_compliance
from .models import Status, TransitDeclaration, TransportCompany, UnsettledReason, Vehicle

SORTS = {
    "-declared_at": _("newest first"),
    "declared_at": _("oldest first"),
    "serial": _("serial, ascending"),
    "-serial": _("serial, descending"),
    # Overdue declarations only, the longest past their deadline first (the (status, deadline) index).
    "deadline": _("most overdue first"),
}
DEFAULT_SORT = "-declared_at"


class JalaliDateField(forms.CharField):
    """``1405/05/12`` in any digit script → ``datetime.date``; shown in the page's digits. A Gregorian date is
    refused beside the box as every date box refuses it (``core.forms.JalaliDateField``), unless ``iso``: the
    API's query, whose clients send ISO dates (``DeclarationFilter(iso_dates=True)``)."""

    iso = False

    def prepare_value(self, value):
        return date_box_value(value)

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        text = dates.ascii_digits(value.strip())
        if is_gregorian(text) and not self.iso:
            raise forms.ValidationError(
                _("%(text)s is a Gregorian date: enter the Jalali date, like %(example)s.")
                % {"text": isolate(value.strip()[:40]), "example": date_hint()},
                code="gregorian",
            )
        try:
            if is_gregorian(text):
                return dt.date.fromisoformat(text)
            return dates.parse_jalali_date(text)
        except ValueError:
            raise forms.ValidationError(
                dates.no_such_day(value) or _("Enter a Jalali date like %(example)s.") % {"example": date_hint()},
                code="invalid",
            ) from None


class JalaliDateFilter(django_filters.Filter):
    field_class = JalaliDateField


class JalaliDateTimeFilter(django_filters.Filter):
    field_class = JalaliDateTimeField


class DeclarationFilterForm(PageForm):
    """The list's filter form (page, exports, API), with the checks across its fields: the declared dates
    end on or after the day they start (the same day is that one day); a compliance window is that of a
    scan compliance figure, and ends after it starts (its end is exclusive). Each refused beside its field,
    never the whole list (a window alone) or an empty one (a range backwards) in place of the rows asked
    for."""

    def clean(self):
        data = super().clean()
        check_range(self, "date_from", "date_to")
        if not data.get("compliance") and "compliance" not in self.errors:
            for name in ("window_from", "window_to"):
                if data.get(name):
                    self.add_error(
                        name,
                        _(
                            "A compliance window counts a scan compliance figure: choose the figure under "
                            "«Scan compliance», or leave the window empty."
                        ),
                    )
        else:
            check_range(
                self, "window_from", "window_to", end_exclusive=True, message=_("The window must end after it starts.")
            )
        return data


class NameOrderedChoiceFilter(django_filters.ModelChoiceFilter):
    """A province or an office picked from a list in the order of their names (``NameOrderedChoiceField``)."""

    field_class = NameOrderedChoiceField


def _office_choices():
    return CustomsOffice.objects.order_by("code")


class DeclarationFilter(ApiFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q")
    office = NameOrderedChoiceFilter(
        label=_("Office (origin or destination)"),
        queryset=_office_choices(),
        to_field_name="code",
        method="filter_office",
    )
    origin = NameOrderedChoiceFilter(label=_("Origin office"), queryset=_office_choices(), to_field_name="code")
    destination = NameOrderedChoiceFilter(
        label=_("Destination office"), queryset=_office_choices(), to_field_name="code"
    )
    province = NameOrderedChoiceFilter(
        label=_("Province"),
        queryset=Province.objects.order_by("name_fa"),
        to_field_name="code",
        method="filter_province",
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Status.choices)
    signal = django_filters.ChoiceFilter(
        label=_("Signal"), choices=[(k, s.label) for k, s in monitoring.SIGNALS.items()], method="filter_signal"
    )
    age = django_filters.ChoiceFilter(
        label=_("Days past the deadline"), choices=[(k, v) for k, v in ageing.LABELS.items()], method="filter_age"
    )
    # The reason a declaration is unsettled now: a reason kept from before a settlement or a closure is
    # history (shown as such on the page), not why the declaration is unsettled.
    reason = django_filters.ChoiceFilter(
        label=_("Reason not settled"), choices=UnsettledReason.choices, method="filter_reason"
    )
    date_from = JalaliDateFilter(label=_("Declared from"), method="filter_date_from")
    date_to = JalaliDateFilter(label=_("Declared to"), method="filter_date_to")
    # A scan compliance figure of the dashboard (declarations.scan_compliance) over its window: the figure
    # links here with the office (origin or destination) and the window it was counted over.
    compliance = django_filters.ChoiceFilter(
        label=_("Scan compliance"),
        choices=[(k, label) for k, (_side, label) in scan_compliance.FIGURES.items()],
        method="filter_compliance",
    )
    window_from = JalaliDateTimeFilter(label=_("Compliance window from"), method="filter_window")
    window_to = JalaliDateTimeFilter(label=_("Compliance window to (exclusive)"), method="filter_window")
    company = django_filters.CharFilter(label=_("Transport company"), method="filter_company")
    nationality = django_filters.CharFilter(label=_("Truck nationality"), method="filter_nationality")
    sort = django_filters.ChoiceFilter(
        label=_("Sort"), choices=list(SORTS.items()), method="filter_noop", empty_label=None
    )

    class Meta:
        model = TransitDeclaration
        fields: list[str] = []
        form = DeclarationFilterForm

    def __init__(self, *args, iso_dates: bool = False, **kwargs):
        """``iso_dates``: the declared dates may be ISO (the API); on a page they are Jalali only."""
        super().__init__(*args, **kwargs)
        self.iso_dates = iso_dates

    @property
    def form(self):
        form = super().form
        if not getattr(form, "_styled", False):
            for name in ("date_from", "date_to"):
                form.fields[name].iso = self.iso_dates
            for name, field in form.fields.items():
                widget = field.widget
                css = (
                    "form-select form-select-sm" if isinstance(widget, forms.Select) else "form-control form-control-sm"
                )
                widget.attrs.setdefault("class", css)
                if name in ("date_from", "date_to"):
                    widget.attrs.setdefault("placeholder", text.date_hint())
                    widget.attrs.setdefault("inputmode", "numeric")
            form.fields["q"].widget.attrs.setdefault("placeholder", _("serial, plate, waybill or seal"))
            form.fields["q"].widget.input_type = "search"
            # A serial or waybill typed here reads left to right, Persian text right to left.
            form.fields["q"].widget.attrs.setdefault("dir", "auto")
            form._styled = True
        return form

    def filter_reason(self, qs, name, value):
        return qs.filter(status=Status.UNSETTLED, unsettled_reason=value)

    def filter_noop(self, qs, name, value):
        if value == "deadline":  # "most overdue first" lists the overdue rows (each has a deadline)
            return qs.filter(monitoring.SIGNALS["overdue"].q(timezone.now()))
        return qs  # ordering is applied by the keyset pager

    def filter_window(self, qs, name, value):
        return qs  # the window of a compliance figure: applied with it (filter_compliance)

    def filter_compliance(self, qs, name, key):
        data = self.form.cleaned_data
        return qs.filter(scan_compliance.figure_q(key, data.get("window_from"), data.get("window_to")))

    def filter_age(self, qs, name, key):
        return qs.filter(ageing.bucket_q(timezone.now(), key))

    def filter_office(self, qs, name, office):
        return qs.filter(Q(origin=office) | Q(destination=office))

    def filter_province(self, qs, name, province):
        ids = province_office_ids(province)
        return qs.filter(Q(origin_id__in=ids) | Q(destination_id__in=ids))

    def branch_offices(self) -> list[int] | None:
        """Offices whose two sides the keyset pager may read separately (see paging.py)."""
        data = self.form.cleaned_data
        if data.get("signal") in monitoring.PARTIAL_INDEXED:
            return []  # the signal's own small index in date order beats one range per office
        if data.get("office"):
            return [data["office"].pk]
        if data.get("province"):
            return province_office_ids(data["province"])
        return None

    def filter_signal(self, qs, name, key):
        return monitoring.filter_signal(qs, key, timezone.now())

    def filter_date_from(self, qs, name, day):
        start = dt.datetime.combine(day, dt.time(), tzinfo=dates.TEHRAN)
        return qs.filter(declared_at__gte=start)

    def filter_date_to(self, qs, name, day):
        end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=dates.TEHRAN)
        return qs.filter(declared_at__lt=end)

    def filter_company(self, qs, name, value):
        """A company's registration number, or part of its name (looked up in the small companies table)."""
        value = dates.ascii_digits(value.strip())
        if not value:
            return qs
        ids = list(
            TransportCompany.objects.filter(Q(registration_no=value) | Q(name__icontains=value)).values_list(
                "pk", flat=True
            )[:200]
        )
        return qs.filter(company_id__in=ids)

    def filter_nationality(self, qs, name, value):
        """``IR``, ``foreign`` or an ISO country code."""
        value = value.strip().upper()
        if not value:
            return qs
        if value == "FOREIGN":
            return qs.exclude(vehicle_country="IR")
        return qs.filter(vehicle_country=value[:2])

    def filter_q(self, qs, name, value):
        return search(qs, value)


def province_office_ids(province) -> list[int]:
    return list(CustomsOffice.objects.filter(province=province).values_list("pk", flat=True))


def serial_prefix_q(prefix: str) -> Q:
    """Serials beginning with ``prefix`` (``1405-SRJ``, ``WALK2``), through the serial's index. On PostgreSQL
    ``LIKE 'prefix%'`` (``startswith``) uses the ``varchar_pattern_ops`` index Django makes beside the unique
    one (``…_serial_…_like``); SQLite's LIKE ignores case and so no index, but a range of its binary order
    (from the prefix to the prefix followed by the last character) is one seek of the unique index."""
    if connection.vendor == "sqlite":
        return Q(serial__gte=prefix, serial__lt=prefix + "\U0010ffff")
    return Q(serial__startswith=prefix)


# The shortest end of a serial searched: one in 10,000 serials ends in four given digits; a shorter end would
# match a share of the whole country.
SERIAL_END_MIN = 4


def short_serial_end(text: str) -> bool:
    """``text`` (a search's ``q``) is shaped like a serial's end but shorter than ``SERIAL_END_MIN``: no serial is
    found by its end, which the page says when nothing else was found."""
    compact = dates.ascii_digits((text or "").strip()).replace(" ", "")
    return 0 < len(compact) < SERIAL_END_MIN and compact.isascii() and compact.isalnum()


def serial_end_q(qs, end: str):
    """``(qs, q)``: serials ending with ``end`` (``8606``, as an officer quotes a declaration by its last digits).
    On PostgreSQL through an index on the reversed serial (migration 0030); on SQLite a scan of the serials."""
    return qs.alias(serial_reversed=Reverse("serial")), Q(serial_reversed__startswith=end[::-1])


def search(qs, text: str):
    """A serial, its beginning or its end, a waybill or seal number exactly, or a plate written any way (digits
    of any script, spaces, "ایران 13"). The page's box and the API's ``q`` are this one filter."""
    raw = (text or "").strip()
    if not raw:
        return qs
    compact = dates.ascii_digits(raw).replace(" ", "").upper()
    # A waybill as stored (``core.text.identifier``: Latin digits, single spaces), or typed without its spaces.
    q = serial_prefix_q(compact) | Q(waybill_no=compact) | Q(waybill_no=identifier(raw))
    if len(compact) >= SERIAL_END_MIN:
        qs, end = serial_end_q(qs, compact)
        q |= end
    if connection.vendor == "postgresql":
        q |= Q(seal_numbers__contains=[compact])
    else:
        q |= Q(seal_numbers__icontains=f'"{compact}"')
    try:
        plate = plates.guess_plate(raw)
    except plates.PlateError:
        plate = None
    if plate is not None:
        vehicles = Vehicle.objects.filter(plate=plate.text)
        if plate.country:
            vehicles = vehicles.filter(country=plate.country)
        q |= Q(vehicle_id__in=list(vehicles.values_list("pk", flat=True)[:50]))
    return qs.filter(q)
