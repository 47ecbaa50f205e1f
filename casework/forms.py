"""Forms of the follow-up letter and judicial case pages. Every date is typed as Jalali."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from core.forms import JalaliDateField


class LetterForm(forms.Form):
    subject = forms.CharField(label=gettext_lazy("subject"), max_length=300)
    body = forms.CharField(label=gettext_lazy("body"), widget=forms.Textarea(attrs={"rows": 10}))
    has_attachment = forms.BooleanField(label=gettext_lazy("has attachment"), required=False)
    copies = forms.CharField(
        label=gettext_lazy("copies to (one a line)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    signer_name = forms.CharField(label=gettext_lazy("signer name"), max_length=150, required=False)
    signer_title = forms.CharField(label=gettext_lazy("signer title"), max_length=150, required=False)


class AnswerForm(forms.Form):
    reply_text = forms.CharField(label=gettext_lazy("reply"), widget=forms.Textarea(attrs={"rows": 5}))
    reply_number = forms.CharField(label=gettext_lazy("reply letter number"), max_length=40, required=False)
    answered_on = JalaliDateField(label=gettext_lazy("reply date (Jalali)"), required=False)


class CaseForm(forms.Form):
    file_number = forms.CharField(label=gettext_lazy("file number"), max_length=60)
    authority = forms.CharField(label=gettext_lazy("authority"), max_length=150)
    branch = forms.CharField(label=gettext_lazy("branch"), max_length=100, required=False)
    opened_on = JalaliDateField(label=gettext_lazy("opened on (Jalali)"))
    cif_value = forms.DecimalField(label=gettext_lazy("CIF value"), min_value=0, decimal_places=2, max_digits=18)
    currency = forms.CharField(label=gettext_lazy("currency"), max_length=3, initial="USD")
    exchange_rate = forms.DecimalField(
        label=gettext_lazy("exchange rate (rial per unit)"), min_value=0, decimal_places=4, max_digits=18
    )
    duties = forms.DecimalField(label=gettext_lazy("duties (rial)"), min_value=0, decimal_places=0, initial=0)
    fees = forms.DecimalField(label=gettext_lazy("fees (rial)"), min_value=0, decimal_places=0, initial=0)


class ActionForm(forms.Form):
    on = JalaliDateField(label=gettext_lazy("date (Jalali)"))
    action = forms.CharField(label=gettext_lazy("action taken"), widget=forms.Textarea(attrs={"rows": 3}))


class CloseForm(forms.Form):
    outcome = forms.CharField(label=gettext_lazy("outcome"), widget=forms.Textarea(attrs={"rows": 3}))
    outcome_on = JalaliDateField(label=gettext_lazy("outcome date (Jalali)"))
    close_declaration = forms.BooleanField(label=gettext_lazy("close the declaration too"), required=False)
