from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import PageForm

from .models import Kind


class EmailPreferencesForm(PageForm):
    kinds = forms.MultipleChoiceField(
        label=_("Also send me an e-mail for"),
        choices=Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        help_text=_("Every notification appears here in any case; the e-mail goes to the address on your account."),
    )
