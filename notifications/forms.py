from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import ListFilterForm, PageForm

from .models import Kind


class EmailPreferencesForm(PageForm):
    kinds = forms.MultipleChoiceField(
        label=_("Also send me an e-mail for"),
        choices=Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        help_text=_("Every notification appears here in any case; the e-mail goes to the address on your account."),
    )


class NotificationFilterForm(ListFilterForm):
    """The list's filters (``?show=open|all&kind=…``); nothing given is the open ones of every kind."""

    show = forms.ChoiceField(label=_("Show"), required=False, choices=[("open", _("Not done yet")), ("all", _("All"))])
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *Kind.choices])
