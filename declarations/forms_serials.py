"""Forms of the anti-smuggling rules on the declaration page (serials found on arrival, a discrepancy's
resolution, a settlement override, an IMEI registry check, a transport document), the transport
documents' CSV import and headquarters' list of covered goods. Shape only: the services decide."""

from __future__ import annotations

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from core import dates, text
from core.forms import JalaliDateField, PageDecimalField, PageForm, with_example

from .models import CoveredGroup, Identifier, RegistryResult, SerialKind
from .serials import MAX_VALUES, parse_values
from .transport_docs import CSV_COLUMNS


class ArrivalSerialsForm(PageForm):
    values = forms.CharField(
        label=_("Serials found"),
        widget=forms.Textarea(attrs={"rows": 5, "dir": "ltr", "spellcheck": "false"}),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=SerialKind.choices, initial=SerialKind.SERIAL, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Made per request: a figure in the help is written in the page's digits.
        self.fields["values"].help_text = _(
            "One a line; a pasted CSV counts its first column. Up to %(n)s at a time."
        ) % {"n": text.digits(MAX_VALUES)}

    def clean_kind(self):
        return self.cleaned_data["kind"] or SerialKind.SERIAL

    def clean_values(self):
        values = parse_values(self.cleaned_data["values"])
        if not values:
            raise forms.ValidationError(_("Enter at least one serial, one a line."))
        return values


class ResolveDiscrepancyForm(PageForm):
    reason = forms.CharField(
        label=_("Why it is resolved"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("E.g. the origin confirmed a mistyped serial on the declaration, by letter no. …"),
    )


class SettlementOverrideForm(PageForm):
    reason = forms.CharField(
        label=_("Reason for releasing the settlement"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept on the declaration's timeline and in the audit trail."),
    )


class ImeiCheckForm(PageForm):
    imei = forms.CharField(label=_("IMEI"), max_length=40, widget=forms.TextInput(attrs={"dir": "ltr"}))
    result = forms.ChoiceField(label=_("Registry result"), choices=RegistryResult.choices)
    checked_on = JalaliDateField(
        label=_("Checked on"), help_text=with_example(gettext_noop("Jalali date, e.g. %(example)s."), False)
    )
    reference = forms.CharField(label=_("Registry reference"), max_length=100, required=False)

    def clean_imei(self):
        return dates.ascii_digits(self.cleaned_data["imei"]).strip()


def _decimal(label):
    return PageDecimalField(label=label, required=False, min_value=0, max_digits=14, decimal_places=3)


class TransportDocumentForm(PageForm):
    number = forms.CharField(
        label=_("Document number"), max_length=40, widget=forms.TextInput(attrs={"dir": "ltr", "spellcheck": "false"})
    )
    issued_on = JalaliDateField(
        label=_("Issued on"), help_text=with_example(gettext_noop("Jalali date, e.g. %(example)s."), False)
    )
    origin = forms.CharField(label=_("Origin on the document"), max_length=40, help_text=_("Office code or place."))
    destination = forms.CharField(
        label=_("Destination on the document"), max_length=40, help_text=_("Office code or place.")
    )
    route = forms.CharField(
        label=_("Route on the document"),
        required=False,
        help_text=_("Office codes in order, separated by ; (empty: not stated)."),
    )
    goods_description = forms.CharField(label=_("Goods as described"), max_length=300)
    quantity = _decimal(_("Quantity"))
    gross_weight_kg = _decimal(_("Gross weight (kg)"))

    def __init__(self, *args, declaration=None, **kwargs):
        super().__init__(*args, **kwargs)
        if declaration is not None and not self.is_bound:
            self.initial.setdefault("origin", declaration.origin.code)
            self.initial.setdefault("destination", declaration.destination.code)

    def clean_route(self):
        text = dates.ascii_digits(self.cleaned_data["route"]).replace(",", ";").replace("،", ";")
        return [c.strip().upper() for c in text.split(";") if c.strip()]


MAX_CSV_BYTES = 5 * 1024 * 1024  # 5,000 rows of a few hundred bytes, with room to spare


class TransportDocumentsImportForm(PageForm):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=format_lazy(
            _("UTF-8 CSV with the columns {columns}."),
            columns=text.isolate(",".join(CSV_COLUMNS)),  # as the file's first line has them
        ),
    )

    def clean_file(self):
        file = self.cleaned_data["file"]
        if file.size > MAX_CSV_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        return file


class CoveredGoodsForm(PageForm):
    group = forms.ModelChoiceField(label=_("Group"), queryset=CoveredGroup.objects.all())
    hs_prefix = forms.CharField(label=_("HS code prefix"), max_length=12, widget=forms.TextInput(attrs={"dir": "ltr"}))
    description = forms.CharField(label=_("Description"), max_length=200)
    identifier = forms.ChoiceField(label=_("Identifier"), choices=Identifier.choices)


class CoveredGoodsRemoveForm(PageForm):
    # Not required here: the service says what is missing (one message, beside the field).
    reason = forms.CharField(
        label=_("reason for removal"),
        required=False,
        help_text=_("Kept in the audit trail with the removal."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CoveredGroupDateForm(PageForm):
    group = forms.ModelChoiceField(label=_("Group"), queryset=CoveredGroup.objects.all())
    mandatory_from = JalaliDateField(
        label=_("Serials mandatory from"), help_text=with_example(gettext_noop("Jalali date, e.g. %(example)s."), False)
    )
