"""The login form: machine accounts are refused a web session."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.forms import PageForm, PageFormMixin

MACHINE_ACCOUNT_MESSAGE = _(
    "This is a machine account (integration client): it works through the API with its token "
    "and cannot use the web pages."
)


class LoginForm(PageFormMixin, AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("Your username and password didn't match. Please try again."),
    }

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if user.is_machine:
            raise ValidationError(MACHINE_ACCOUNT_MESSAGE, code="machine_account")


class CodeForm(PageForm):
    """One code: six digits from the authenticator app, or (where allowed) a recovery code."""

    code = forms.CharField(label=_("Code"), max_length=32, strip=True)
