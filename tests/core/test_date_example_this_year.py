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
