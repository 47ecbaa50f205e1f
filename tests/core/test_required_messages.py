"""A required field left empty, or a number that is none, is named in its error: an outside walk found «این
مقدار لازم است.» beside the inspection form's fields, the camera's, the system problem's and the year of
``/reports/`` (and «به طور کامل یک عدد وارد کنید.» beside a number), the same words whichever field it was.
The page forms' one base (``core.forms.PageForm``) names them all, fields added in a form's ``__init__``
included; a field with a message of its own keeps it."""

import pytest
from django import forms
from django.urls import reverse
from django.utils import translation

from accounts.forms import LoginForm
from accounts.views_account import PasswordForm
from core.forms import PageDecimalField, PageForm, PageFormMixin, PageIntegerField
from declarations.filters import DeclarationFilterForm


class _Form(PageForm):
    subject = forms.CharField(label=translation.gettext_lazy("subject"))
    kind = forms.ChoiceField(label="kind", choices=[("a", "A")])
    agree = forms.BooleanField(label="agree")
    count = PageIntegerField(label="count")
    amount = PageDecimalField(label="amount")
    own = forms.CharField(label="own", error_messages={"required": "Say it."})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["later"] = forms.ChoiceField(label="later", choices=[("x", "X")], widget=forms.RadioSelect)


def _errors(lang: str, **data) -> dict[str, list[str]]:
    with translation.override(lang):
        form = _Form(data=data)
        form.is_valid()
        return {k: [str(m) for m in v] for k, v in form.errors.items()}


def test_english_errors_name_the_field():
    assert _errors("en", count="x", amount="y") == {
        "subject": ["Enter “subject”."],
        "kind": ["Choose “kind”."],
        "agree": ["Choose “agree”."],
        "count": ["“count” must be a whole number."],
        "amount": ["“amount” must be a number."],
        "own": ["Say it."],
        "later": ["Choose “later”."],
    }


def test_persian_errors_name_the_field():
    errors = _errors("fa", count="۱٫۵", amount="یک")
    assert errors["subject"] == ["«موضوع» را وارد کنید."]
    assert errors["kind"] == ["«kind» را انتخاب کنید."]
    assert errors["count"] == ["«count» باید عدد صحیح باشد."]
    assert errors["amount"] == ["«amount» باید عدد باشد."]
    assert errors["own"] == ["Say it."]


def test_the_forms_that_were_not_page_forms_are():
    """Django's login and password forms and the declarations' filters were forms of their own."""
    for form_class in (LoginForm, PasswordForm, DeclarationFilterForm):
        assert issubclass(form_class, PageFormMixin), form_class
    with translation.override("fa"):
        login = LoginForm(data={})
        login.is_valid()
        assert login.errors["username"] == ["«نام کاربری» را وارد کنید."]


@pytest.mark.persian
def test_the_inspection_form_names_its_fields(client, inspector):
    client.force_login(inspector)
    response = client.post(
        reverse("reports:inspection_new"), {"actions-TOTAL_FORMS": "0", "actions-INITIAL_FORMS": "0"}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "این مقدار لازم است" not in html
    assert "«تاریخ بازرسی (شمسی)» را وارد کنید." in html


@pytest.mark.persian
def test_the_year_of_the_returns_page_names_itself(client, inspector):
    client.force_login(inspector)
    html = client.post(reverse("reports:returns"), {"year": "", "month": "1"}).content.decode()
    assert "«سال (شمسی)» را وارد کنید." in html
    html = client.post(reverse("reports:returns"), {"year": "abc", "month": "1"}).content.decode()
    assert "«سال (شمسی)» باید عدد صحیح باشد." in html
    assert "به طور کامل یک عدد وارد کنید" not in html
