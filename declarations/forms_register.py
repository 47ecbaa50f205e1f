"""The form that registers a declaration by hand when ICS is down (directive point 7).

Each field is checked by the import's own validator (``import_validation.Validator``: serial,
offices, route, plate, national ID, MRN, containers, lengths, numbers), so the form refuses what an
import refuses, with the error beside the field. ``row()`` and ``goods()`` hand the values to
``services.declaration_register`` under the import's column names; the service checks them again.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from accounts.models import CustomsOffice, Role
from core.forms import JalaliDateTimeField, PageForm, with_example
from core.text import datetime_hint, digits, format_number

from . import identifiers
from .import_validation import LIST_SEPARATOR, RowInvalid, Validator, repeated_serial_message

# Free-text columns whose only rule is the length of the field they are stored in.
TEXT_COLUMNS = (
    "trailer_plate",
    "driver_name",
    "driver_passport",
    "company_name",
    "company_reg_no",
    "waybill_no",
    "guarantee_ref",
)
LIST_HELP = _("Separate several with ; (semicolon).")
SEALS_HELP = _("Separate several with commas, semicolons, spaces or new lines.")


def _text(label, help_text="", required=False, ltr=False, auto=False):
    """``ltr``: an identifier in Latin letters and digits, typed and shown left to right (a right-to-left
    box lays 1405-BZG-00001 out as BZG-00001-1405 while it is typed). ``auto``: one that is Persian or
    Latin (a plate: 12ب34565 right to left, a foreign one left to right), its direction from what is typed."""
    direction = "ltr" if ltr else "auto" if auto else ""
    widget = forms.TextInput(attrs={"dir": direction, "spellcheck": "false"}) if direction else None
    return forms.CharField(label=label, required=required, help_text=help_text, widget=widget)


def _as_list(text: str) -> str:
    """Commas typed in a list field (Latin or Persian) are the import's separator."""
    return text.replace(",", ";").replace("،", ";")


def _raise(exc: RowInvalid):
    raise forms.ValidationError(exc.message)


class RegisterForm(PageForm):
    serial = _text(_("Serial"), _("4–32 letters, digits, / or -, as ICS would give it."), required=True, ltr=True)
    declared_at = JalaliDateTimeField(
        label=_("Declared at"), help_text=with_example(gettext_noop("Jalali date and time, e.g. %(example)s."), True)
    )
    origin = forms.ModelChoiceField(label=_("Origin office"), queryset=CustomsOffice.objects.none())
    destination = forms.ModelChoiceField(label=_("Destination office"), queryset=CustomsOffice.objects.none())
    route = _text(
        _("Planned route"), _("Office codes in order, e.g. BZG;TBZ;THR. Empty: origin then destination."), ltr=True
    )
    plate_country = forms.CharField(
        label=_("Plate nationality"),
        initial="IR",
        max_length=2,
        help_text=_("IR for an Iranian truck, else the two-letter country code (TR, AM, AF ...)."),
        widget=forms.TextInput(attrs={"dir": "ltr", "spellcheck": "false"}),
    )
    plate = _text(
        _("Plate"), _("Iranian as 12ب34565 (any digits), a foreign plate as written."), required=True, auto=True
    )
    trailer_plate = _text(_("Trailer plate"), auto=True)
    driver_name = _text(_("Driver's name"))
    driver_national_id = _text(_("Driver's national ID"), _("Ten digits, for an Iranian driver."))
    driver_passport = _text(_("Driver's passport number"), _("For a foreign driver."), ltr=True)
    company_name = _text(_("Transport company"))
    company_reg_no = _text(_("Company registration number"), ltr=True)
    waybill_no = _text(_("Waybill number"), ltr=True)
    seals = _text(_("Seal numbers"), SEALS_HELP, ltr=True)
    containers = _text(
        _("Container numbers"), _("ISO 6346 with its check digit, e.g. MSKU1234565; separate with ;"), ltr=True
    )
    mrn = _text(_("Movement reference number (MRN)"), _("18 characters with its check character."), ltr=True)
    guarantee_ref = _text(_("Guarantee reference"), ltr=True)
    guarantee_amount = _text(_("Guarantee amount (rial)"))
    deadline = JalaliDateTimeField(
        label=_("Transit deadline"),
        required=False,
        help_text=_("Empty: set from the route's time limit when the truck departs."),
    )

    def __init__(self, *args, user, validator: Validator | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.validator = validator or Validator()
        offices = CustomsOffice.objects.select_related("province").order_by("code")
        origin, destination = self.fields["origin"], self.fields["destination"]
        assert isinstance(origin, forms.ModelChoiceField) and isinstance(destination, forms.ModelChoiceField)
        destination.queryset = offices
        if user.is_superuser or user.role == Role.HQ or (user.role == Role.INTEGRATION and user.is_national):
            origin.queryset = offices
        else:  # office staff register only what leaves their own office
            origin.queryset = offices.filter(pk=user.office_id)
        only = list(origin.queryset[:2])
        if len(only) == 1:  # the one choice is chosen, with no «---------» above it to pick by mistake
            origin.initial = only[0].pk
            origin.empty_label = None
        self.fields["declared_at"].help_text = gettext(
            "Jalali date and time, e.g. %(example)s; at most %(days)s days back (older: by the ICS import)."
        ) % {"example": datetime_hint(), "days": digits(settings.DECLARATION_MAX_BACKDATE_DAYS)}
        for field in (origin, destination):
            field.label_from_instance = lambda obj: f"{obj.code} — {obj.name}"  # type: ignore[method-assign]

    def clean_serial(self):
        try:
            return self.validator.serial(self.cleaned_data["serial"])
        except RowInvalid as exc:
            _raise(exc)

    def clean_declared_at(self):
        value = self.cleaned_data["declared_at"]
        try:
            self.validator.when(value.isoformat(), "declared_at")
        except RowInvalid as exc:
            _raise(exc)
        return value

    def clean_driver_national_id(self):
        try:
            return self.validator.national_id(self.cleaned_data["driver_national_id"])
        except RowInvalid as exc:
            _raise(exc)

    def clean_mrn(self):
        try:
            return self.validator.mrn(self.cleaned_data["mrn"])
        except RowInvalid as exc:
            _raise(exc)

    def clean_containers(self):
        text = _as_list(self.cleaned_data["containers"])
        try:
            self.validator.containers(text)
        except RowInvalid as exc:
            _raise(exc)
        return text

    def clean_guarantee_amount(self):
        text = self.cleaned_data["guarantee_amount"]
        try:
            self.validator.decimal(text, "guarantee_amount", default="0")
        except RowInvalid as exc:
            _raise(exc)
        return text

    def clean(self):
        data = super().clean()
        for name in TEXT_COLUMNS:
            if name in data:
                try:
                    self.validator.text(data, name)
                except RowInvalid as exc:
                    self.add_error(name, exc.message)
        origin, destination = data.get("origin"), data.get("destination")
        if origin and destination:
            if origin.pk == destination.pk:
                self.add_error("destination", _("The destination must differ from the origin."))
            else:
                data["route"] = _as_list(data.get("route", ""))
                try:
                    self.validator.route(data["route"], origin, destination)
                except RowInvalid as exc:
                    self.add_error("route", exc.message)
        if "plate" in data and "plate_country" in data:
            try:
                self.validator.plate(data["plate"], data["plate_country"])
            except RowInvalid as exc:
                self.add_error(exc.field, exc.message)
        return data

    def row(self) -> dict[str, str]:
        """The declaration's columns, as the import names them."""
        d = self.cleaned_data
        row = {name: d.get(name) or "" for name in self.fields if name not in ("origin", "destination")}
        row.update(
            origin=d["origin"].code,
            destination=d["destination"].code,
            declared_at=d["declared_at"].isoformat(),
            deadline=d["deadline"].isoformat() if d.get("deadline") else "",
        )
        return row


class GoodsLineForm(PageForm):
    hs_code = _text(_("HS code"), required=True, ltr=True)
    description = _text(_("Description"), required=True)
    quantity = _text(_("Quantity"), required=True)
    unit = _text(_("Unit"))
    gross_weight_kg = _text(_("Gross weight (kg)"))
    value = _text(_("Value (USD)"))
    goods_serials = _text(_("Serials / IMEIs"), LIST_HELP, ltr=True)

    def __init__(self, *args, validator: Validator | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.validator = validator or Validator()

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        data["goods_serials"] = _as_list(data.get("goods_serials", ""))
        try:
            self.validator.goods_line(data)
        except RowInvalid as exc:  # each bad column beside its box
            for name, message in exc.errors:
                self.add_error(name if name in self.fields else None, message)
        return data


class BaseGoodsFormSet(forms.BaseFormSet):
    # Django's own words for these are English on a Persian page (its catalogue lacks them).
    default_error_messages = {"too_few_forms": _("Fill in at least one goods line: a declaration carries goods.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit = _("A declaration has at most %(n)s goods lines.") % {"n": format_number(self.max_num)}
        self.error_messages["too_many_forms"] = limit.replace("%", "%%")  # Django formats it again

    def clean(self):
        """A serial or IMEI given on two goods lines is refused beside the second line's serials, quoted as
        typed (one given twice in one line is refused by that line's own check)."""
        super().clean()
        if any(self.errors):
            return
        filled = [f for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        repeated = identifiers.repeated_serial(
            (n, [v.strip() for v in LIST_SEPARATOR.split(f.cleaned_data.get("goods_serials") or "") if v.strip()])
            for n, f in enumerate(filled, 1)
        )
        if repeated is not None:
            value, first, again = repeated
            filled[again - 1].add_error("goods_serials", repeated_serial_message(value, first, again))

    def goods(self) -> list[dict[str, str]]:
        """The filled goods lines, numbered in the order given."""
        lines = [f.cleaned_data for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        return [
            {"goods_line": str(n), **{k: str(v or "") for k, v in line.items() if k != "DELETE"}}
            for n, line in enumerate(lines, 1)
        ]


MAX_GOODS_LINES = 50


def goods_formset(lines: int = 3) -> type[BaseGoodsFormSet]:
    """A formset offering ``lines`` empty lines (1 to ``MAX_GOODS_LINES``), at least one to fill."""
    lines = min(max(lines, 1), MAX_GOODS_LINES)
    return forms.formset_factory(  # type: ignore[return-value]
        GoodsLineForm,
        formset=BaseGoodsFormSet,
        extra=lines - 1,
        min_num=1,
        validate_min=True,
        max_num=MAX_GOODS_LINES,
        validate_max=True,
    )
