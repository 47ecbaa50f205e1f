"""Every page form names its limits in the page's digits: Django's own messages put ASCII digits into a Persian
sentence ("... بزرگتر یا مساوی 0 ...")."""

from django import forms
from django.utils import translation

from core.forms import PageForm


class _Form(PageForm):
    amount = forms.DecimalField(min_value=0, max_digits=6, decimal_places=2)
    count = forms.IntegerField(min_value=1, max_value=250_000)
    name = forms.CharField(max_length=12)


def _errors(lang: str, **data) -> dict[str, list[str]]:
    with translation.override(lang):
        form = _Form(data={"amount": "1", "count": "1", "name": "x", **data})
        form.is_valid()
        return {k: [str(m) for m in v] for k, v in form.errors.items()}


def test_persian_messages_name_each_limit_in_persian_digits():
    errors = _errors("fa", amount="-3", count="300000", name="x" * 13)
    assert errors == {
        "amount": ["مقدار باید دست‌کم ۰ باشد."],
        "count": ["مقدار باید حداکثر ۲۵۰٬۰۰۰ باشد."],
        "name": ["حداکثر ۱۲ نویسه؛ ۱۳ نوشته شد."],
    }
    assert _errors("fa", amount="12345.6")["amount"] == ["حداکثر ۴ رقم پیش از ممیز."]
    assert _errors("fa", amount="1.234")["amount"] == ["حداکثر ۲ رقم پس از ممیز."]


def test_english_messages_keep_latin_digits():
    errors = _errors("en", count="0", amount="12345.6")
    assert errors == {
        "count": ["The value must be at least 1."],
        "amount": ["At most 4 digits before the decimal point."],
    }


def test_a_text_past_its_limit_says_how_much_was_written_as_every_length_refusal_does():
    """A walk: an hq settlement-override reason, a record-unsettled note, a scan escalation's remark said only
    «حداکثر ۲٬۰۰۰ نویسه.»; a form's max_length now says it as ``core.text.too_long`` does."""
    assert _errors("en", name="x" * 13)["name"] == ["At most 12 characters; 13 were written."]
