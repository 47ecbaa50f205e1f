"""Forms of the declaration page's actions. Each maps to one lifecycle service; the service
decides whether the move is legal (the forms only check the shape of the input)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core import dates
from core.forms import JalaliDateTimeField

from .models import Source, UnsettledReason


def _at_field():
    return JalaliDateTimeField(
        label=_("When"),
        required=False,
        help_text=_("Jalali date and time, e.g. 1404/05/12 10:30. Leave empty for now."),
    )


class DepartForm(forms.Form):
    at = _at_field()


class ConfirmArrivalForm(forms.Form):
    at = _at_field()
    seals_intact = forms.BooleanField(label=_("Seals intact"), required=False, initial=True)
    seal_numbers_found = forms.CharField(
        label=_("Seal numbers found"), required=False, help_text=_("Separate several with commas.")
    )
    gross_weight_found_kg = forms.DecimalField(
        label=_("Gross weight found (kg)"), required=False, min_value=0, max_digits=14, decimal_places=3
    )
    remarks = forms.CharField(label=_("Remarks"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    from_outside = forms.BooleanField(
        label=_("Recorded from outside the system (attach the evidence document)"), required=False
    )
    evidence = forms.FileField(label=_("Evidence document"), required=False)

    def clean_seal_numbers_found(self):
        text = dates.ascii_digits(self.cleaned_data["seal_numbers_found"])
        return [s.strip() for s in text.replace("،", ",").split(",") if s.strip()]

    def service_kwargs(self) -> dict:
        d = self.cleaned_data
        return {
            "at": d["at"],
            "seals_intact": d["seals_intact"],
            "seal_numbers_found": d["seal_numbers_found"],
            "gross_weight_found_kg": d["gross_weight_found_kg"],
            "remarks": d["remarks"],
            "source": Source.OUTSIDE if d["from_outside"] else Source.USER,
            "evidence": d["evidence"],
        }


class SettleForm(forms.Form):
    at = _at_field()
    remarks = forms.CharField(label=_("Remarks"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class RecordReasonForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=UnsettledReason.choices)
    note = forms.CharField(
        label=_("Details"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when the reason is 'other'."),
    )
    at = _at_field()


ACTION_FORMS: dict[str, type[forms.Form]] = {
    "depart": DepartForm,
    "confirm_arrival": ConfirmArrivalForm,
    "settle": SettleForm,
    "record_unsettled": RecordReasonForm,
}
ACTION_LABELS = {
    "depart": _("Record departure"),
    "confirm_arrival": _("Confirm arrival"),
    "settle": _("Settle"),
    "record_unsettled": _("Record why it cannot be settled"),
}
