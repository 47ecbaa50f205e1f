"""Every date box's example and every «like …» message gives a date of this Jalali year (``dates.date_example``),
in the page's digits: they said «۱۴۰۴/۰۵/۱۲ ۱۰:۳۰» in 1405. In 1406 (the example made so), they say 1406."""

import datetime as dt

import jdatetime
import pytest
from django.conf import settings

from core import dates, forms
from core.text import persian_digits

pytestmark = pytest.mark.django_db


def test_the_example_is_this_jalali_years():
    year = jdatetime.date.fromgregorian(date=dt.datetime.now(dates.TEHRAN).date()).year
    assert dates.date_example() == f"{year}/05/12"
    assert dates.datetime_example() == f"{year}/05/12 10:30"


def test_the_inspection_forms_placeholder_and_a_bad_dates_message_give_this_year(client, inspector):
    example = persian_digits(dates.date_example())
    client.force_login(inspector)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fa"
    page = client.get("/reports/inspections/new/").content.decode()
    assert f'placeholder="{example}' in page
    assert "۱۴۰۴/۰۵/۱۲" not in page


@pytest.mark.persian
def test_a_bad_date_is_refused_with_this_years_example(monkeypatch):
    monkeypatch.setattr(dates, "date_example", lambda: "1406/05/12")
    with pytest.raises(forms.forms.ValidationError) as refused:
        forms.JalaliDateField().clean("not a date")
    assert refused.value.messages == ["تاریخ را به صورت شمسی وارد کنید، مانند ۱۴۰۶/۰۵/۱۲."]
    with pytest.raises(forms.forms.ValidationError) as refused:
        forms.JalaliDateField().clean("2027-08-03")
    assert "مانند ۱۴۰۶/۰۵/۱۲" in refused.value.messages[0]


@pytest.mark.persian
def test_a_declaration_action_forms_help_text_gives_this_years_example(monkeypatch):
    from declarations.forms import DepartForm

    monkeypatch.setattr(dates, "date_example", lambda: "1406/05/12")
    assert (
        str(DepartForm().fields["at"].help_text)
        == "تاریخ و ساعت شمسی، مثلاً ۱۴۰۶/۰۵/۱۲ ۱۰:۳۰. برای زمان حال خالی بگذارید."
    )


@pytest.mark.persian
def test_every_other_date_help_text_gives_this_years_example(monkeypatch, origin_clerk):
    """The serials forms, the permit's receipt date, the register form, the scan upload and the two import
    guides still said «۱۴۰۴/۰۵/۱۲» in 1405."""
    from declarations import import_template, transport_docs
    from declarations.forms import TrafficPermitForm
    from declarations.forms_register import RegisterForm
    from declarations.forms_serials import CoveredGroupDateForm, ImeiCheckForm, TransportDocumentForm
    from scans.forms import ScanUploadForm

    monkeypatch.setattr(dates, "date_example", lambda: "1406/05/12")
    date_help = "تاریخ شمسی، مثلاً ۱۴۰۶/۰۵/۱۲."
    assert str(ImeiCheckForm().fields["checked_on"].help_text) == date_help
    assert str(TransportDocumentForm().fields["issued_on"].help_text) == date_help
    assert str(CoveredGroupDateForm().fields["mandatory_from"].help_text) == date_help
    assert (
        str(TrafficPermitForm.base_fields["fuel_receipt_date"].help_text)
        == "پیش از صدور پروانه پرداخت می‌شود (ماده ۸)، مثلاً ۱۴۰۶/۰۵/۱۲."
    )
    assert str(RegisterForm(user=origin_clerk).fields["declared_at"].help_text).startswith(
        "تاریخ و ساعت شمسی، مانند ۱۴۰۶/۰۵/۱۲ ۱۰:۳۰؛ حداکثر "
    )
    assert str(ScanUploadForm().fields["captured_at"].help_text).startswith(
        "تاریخ شمسی مانند ۱۴۰۶/۰۵/۱۲ ۱۰:۳۰ یا قالب ISO 8601؛"
    )
    declared_at = {name: text for name, _required, text in import_template.guide()}["declared_at"]
    assert declared_at == "تاریخ و ساعت اظهارنامه، شمسی (\u2066۱۴۰۶/۰۵/۱۲ ۱۰:۳۰\u2069) یا ISO."
    issued_on = {name: text for name, _required, text in transport_docs.guide()}["issued_on"]
    assert issued_on == "تاریخ صدور سند، شمسی (\u2066۱۴۰۶/۰۵/۱۲\u2069) یا ISO."


@pytest.mark.persian
def test_a_date_that_does_not_parse_is_refused_with_this_years_example(monkeypatch):
    """An import's row error or the API's field error for a date: «مانند ۱۴۰۴/۰۵/۱۲» in 1405."""
    monkeypatch.setattr(dates, "date_example", lambda: "1406/05/12")
    for parse, typed, example in (
        (dates.parse_jalali_date, "1405/13", "مانند ۱۴۰۶/۰۵/۱۲)"),  # a day of no such date says so instead
        (dates.parse_jalali_date, "2026/12/01", "مانند ۱۴۰۶/۰۵/۱۲)"),
        (dates.parse_datetime_any, "yesterday", "مانند ۱۴۰۶/۰۵/۱۲ ۱۰:۳۰،"),
    ):
        with pytest.raises(ValueError) as refused:
            parse(typed)
        assert example in str(refused.value) and "۱۴۰۴" not in str(refused.value)
