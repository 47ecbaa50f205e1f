"""Forms of the camera pages: register a camera, retire it."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from accounts.models import CustomsOffice
from declarations.selectors import scope_offices

from .models import Camera


class CameraForm(forms.Form):
    office = forms.ModelChoiceField(label=gettext_lazy("office"), queryset=CustomsOffice.objects.none())
    code = forms.CharField(
        label=gettext_lazy("code"),
        max_length=32,
        help_text=gettext_lazy("Unique, e.g. BZG-CAM-1; the camera sends it with every read."),
    )
    direction = forms.ChoiceField(label=gettext_lazy("direction"), choices=Camera.Direction.choices)
    lane = forms.CharField(label=gettext_lazy("lane"), max_length=32, required=False)
    model_name = forms.CharField(label=gettext_lazy("model"), max_length=100, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office"].queryset = scope_offices(user)
        self.fields["direction"].choices = [("", "---------"), *Camera.Direction.choices]


class RetireForm(forms.Form):
    # Not required here: the service says what is missing (one message, page and API alike).
    reason = forms.CharField(
        label=gettext_lazy("reason for retiring"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
