"""A value that is none of a choice field's own is refused naming the field, never echoing the raw value:
«13 از گزینه‌های موجود نیست» (the return's month), «-deadline از گزینه‌های موجود نیست» (the list's sort)."""

import pytest
from django import forms
from django.utils import translation

from core.forms import name_invalid_choices
from declarations.filters import DeclarationFilterForm
from reports.views import BuildForm

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["fa", "en"])
def test_the_returns_month_out_of_its_list_is_named_not_echoed(language, hq):
    with translation.override(language):
        form = BuildForm({"year": "1404", "month": "13"}, user=hq)
        assert not form.is_valid()
        [error] = form.errors["month"]
        label = str(form.fields["month"].label)
    assert "13" not in error and "۱۳" not in error and label in error
    if language == "fa":
        assert error == f"یک گزینهٔ معتبر انتخاب کنید: {label} نامعتبر است و در فهرست نیست."


def test_the_lists_sort_out_of_its_list_is_named_not_echoed(client, inspector):
    client.force_login(inspector)
    client.cookies["django_language"] = "fa"
    body = client.get("/declarations/?sort=-deadline").content.decode()
    assert "نامعتبر است و در فهرست نیست." in body
    assert "از گزینه‌های موجود نیست" not in body
    with translation.override("en"):
        form = DeclarationFilterForm({"sort": "-deadline"})
        form.fields["sort"] = forms.ChoiceField(label="Sort", choices=[("serial", "serial")])
        name_invalid_choices(form)  # what the form does for its own fields when made
        assert not form.is_valid() and form.errors["sort"] == [
            "Select a valid choice. That Sort is not one of those listed."
        ]
