"""Opening and valuing a judicial case: the inputs that make its value (currency, exchange rate) are checked
for what they are, and refused beside their field in the words the page uses. A currency that is none, or a
rate no currency has, gave the case a value in rials that meant nothing, and with it the wrong statutory
class (confiscation only) and no clocks."""

import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone

from casework import services as casework
from casework import smuggling
from casework.models import JudicialCase, ValuationKind
from core.dates import TEHRAN
from core.errors import InvalidInput
from declarations.models import Status
from tests.core.test_form_style import beside
from tests.factories import DeclarationFactory

pytestmark = pytest.mark.django_db

FORM = {
    "file_number": "1405-BZG-77",
    "authority": "دادسرای عمومی",
    "opened_on": "1404/05/10",
    "cif_value": "100",
    "currency": "USD",
    "exchange_rate": "650000",
    "duties": "0",
    "fees": "0",
}


@pytest.fixture
def overdue(bazargan, tehran):
    return DeclarationFactory(
        origin=bazargan, destination=tehran, status=Status.IN_TRANSIT, deadline=timezone.now() - dt.timedelta(days=8)
    )


def _post(client, declaration, follow=False, **changes):
    return client.post(f"/casework/cases/new/{declaration.pk}/", {**FORM, **changes}, follow=follow)


def _open(declaration, by, **changes):
    args = {
        "file_number": "1405-BZG-77",
        "authority": "دادسرای عمومی",
        "opened_on": timezone.localdate() - dt.timedelta(days=1),
        "cif_value": "100",
        "exchange_rate": "650000",
    }
    return casework.case_open(declaration=declaration, by=by, **{**args, **changes})


# --- the currency: an ISO 4217 code ----------------------------------------------------------------


def test_a_code_that_is_no_currency_is_refused_beside_the_currency(client, overdue, inspector):
    client.force_login(inspector)
    response = _post(client, overdue, currency="XYZ")
    assert response.status_code == 400
    beside(response.content.decode(), "id_currency", "“XYZ” is not a currency code of ISO 4217")
    assert not JudicialCase.objects.exists()


def test_a_currency_typed_in_lower_case_is_its_code(client, overdue, inspector):
    client.force_login(inspector)
    assert _post(client, overdue, currency=" eur ").status_code == 302
    case = JudicialCase.objects.get()
    assert case.currency == "EUR" and case.valuations.get().currency == "EUR"


def test_the_services_refuse_it_too(overdue, inspector):
    with pytest.raises(InvalidInput) as refused:
        _open(overdue, inspector, currency="XYZ")
    assert "currency" in refused.value.fields
    case = _open(overdue, inspector, currency="AED", exchange_rate="180000")
    with pytest.raises(InvalidInput) as refused:
        smuggling.case_value(
            case=case,
            by=inspector,
            kind=ValuationKind.CURRENCY,
            foreign_amount="500",
            currency="ABC",
            exchange_rate="180000",
            rate_source="بانک مرکزی",
        )
    assert "currency" in refused.value.fields
    assert case.valuations.count() == 1


def test_the_valuation_form_refuses_it_beside_the_currency(client, overdue, inspector):
    case = _open(overdue, inspector)
    client.force_login(inspector)
    response = client.post(
        f"/casework/cases/{case.pk}/",
        {
            "form": "valuation",
            "kind": "currency",
            "foreign_amount": "500",
            "currency": "XYZ",
            "exchange_rate": "180000",
            "rate_source": "بانک مرکزی",
        },
    )
    assert response.status_code == 400
    beside(response.content.decode(), "id_currency", "“XYZ” is not a currency code of ISO 4217")
    assert case.valuations.count() == 1


@pytest.mark.persian
def test_it_reads_in_persian(client, overdue, inspector):
    client.force_login(inspector)
    html = _post(client, overdue, currency="XYZ").content.decode()
    beside(html, "id_currency", "«XYZ» کد ارزی در استاندارد ISO 4217 نیست")


# --- the exchange rate: one the currency can have -------------------------------------------------


def test_a_rate_of_one_for_dollars_is_refused_beside_the_rate_and_says_why(client, overdue, inspector):
    client.force_login(inspector)
    response = _post(client, overdue, exchange_rate="1")
    assert response.status_code == 400
    block = beside(response.content.decode(), "id_exchange_rate", "1 rial for one USD cannot be right")
    assert "every currency other than the rial is worth more than one rial" in block
    assert "IRR" in block
    assert not JudicialCase.objects.exists()


def test_a_rate_of_nought_is_refused_beside_the_rate(client, overdue, inspector):
    client.force_login(inspector)
    response = _post(client, overdue, exchange_rate="0")
    assert response.status_code == 400
    beside(response.content.decode(), "id_exchange_rate", "0 rial for one USD cannot be right")


def test_rials_are_at_one_and_only_at_one(client, overdue, inspector):
    client.force_login(inspector)
    response = _post(client, overdue, currency="IRR", exchange_rate="650000")
    assert response.status_code == 400
    beside(response.content.decode(), "id_exchange_rate", "An amount in rials (IRR) is in rials already")
    assert _post(client, overdue, currency="IRR", exchange_rate="1", cif_value="65000000").status_code == 302
    assert JudicialCase.objects.get().goods_value == 65_000_000


def test_a_case_at_a_real_rate_gets_its_clocks(client, overdue, inspector):
    """100 USD at 650,000 rial is 65,000,000 rial: above the threshold, so the hand-over (24 h) and the
    files (5 working days) are owed, not confiscation only."""
    client.force_login(inspector)
    assert _post(client, overdue).status_code == 302
    case = JudicialCase.objects.get()
    assert case.goods_value == 65_000_000
    kinds = set(case.milestones.live().values_list("kind", flat=True))
    assert {"handover", "file_property_org", "file_court"} <= kinds and "confiscation" not in kinds


def test_the_services_refuse_a_rate_no_currency_has(overdue, inspector):
    with pytest.raises(InvalidInput) as refused:
        _open(overdue, inspector, currency="USD", exchange_rate="1")
    assert "exchange_rate" in refused.value.fields
    with pytest.raises(InvalidInput) as refused:
        _open(overdue, inspector, currency="IRR", exchange_rate="2")
    assert "exchange_rate" in refused.value.fields
    case = _open(overdue, inspector)
    with pytest.raises(InvalidInput) as refused:
        smuggling.case_value(
            case=case,
            by=inspector,
            kind=ValuationKind.CURRENCY,
            foreign_amount="500",
            currency="AED",
            exchange_rate="1",
            rate_source="بانک مرکزی",
        )
    assert "exchange_rate" in refused.value.fields
    assert case.valuations.count() == 1


@pytest.mark.persian
def test_the_rate_reads_in_persian(client, overdue, inspector):
    client.force_login(inspector)
    html = _post(client, overdue, exchange_rate="1").content.decode()
    beside(html, "id_exchange_rate", "۱ ریال برای یک USD درست نیست")


# --- messages name a field as the page does, not by its internal name ---------------------------


def test_a_refused_amount_is_named_by_its_label(client, overdue, inspector):
    client.force_login(inspector)
    response = _post(client, overdue, cif_value="0")
    assert response.status_code == 400
    block = beside(response.content.decode(), "id_cif_value", "CIF value must be a positive number.")
    assert "cif_value" not in block.split('class="invalid-feedback d-block"', 1)[1]


def test_the_services_name_the_field_by_its_label(overdue, inspector):
    with pytest.raises(InvalidInput) as refused:
        _open(overdue, inspector, exchange_rate="0")
    assert str(refused.value) == "Exchange rate (rial per unit) must be a positive number."
    assert "exchange_rate" in refused.value.fields
    case = _open(overdue, inspector)
    with pytest.raises(InvalidInput) as refused:
        smuggling.case_value(case=case, by=inspector, kind=ValuationKind.IMPORT, exchange_rate="650000")
    assert str(refused.value) == "Amount in currency is required."


@pytest.mark.persian
def test_the_label_reads_in_persian(client, overdue, inspector):
    client.force_login(inspector)
    case = _open(overdue, inspector)
    response = client.post(
        f"/casework/cases/{case.pk}/",
        {"form": "valuation", "kind": "import", "currency": "USD", "exchange_rate": "650000", "rate_source": "x"},
    )
    assert response.status_code == 400
    beside(response.content.decode(), "id_foreign_amount", "مبلغ ارزی لازم است.")
    with pytest.raises(InvalidInput) as refused:
        _open(overdue, inspector, file_number="78", exchange_rate="0")
    assert str(refused.value) == "نرخ ارز (ریال به ازای هر واحد) باید عددی مثبت باشد."


# --- the file number: its digits as typed --------------------------------------------------------


@pytest.mark.persian
def test_the_file_number_keeps_the_digits_it_was_typed_with(client, overdue, inspector):
    """«1405-BZG-77» was shown «۱۴۰۵-BZG-۷۷» (while the return's XLSX gives it in Latin digits): on the list,
    the case page and its title, the message of its opening and the declaration's timeline it reads as typed."""
    client.force_login(inspector)
    response = _post(client, overdue, file_number="1405-BZG-77", follow=True)
    shown = '<bdi dir="ltr" class="ident ident-case">1405-BZG-77</bdi>'
    case = JudicialCase.objects.get()
    pages = [
        response.content.decode(),
        client.get("/casework/cases/").content.decode(),
        client.get(f"/casework/cases/{case.pk}/").content.decode(),
        client.get(f"/declarations/{overdue.pk}/").content.decode(),
    ]
    assert "\u20661405-BZG-77\u2069" in pages[0]  # the message of its opening
    assert shown in pages[1] and shown in pages[2]
    assert "<title>پرونده قضایی \u20661405-BZG-77\u2069" in pages[2]
    assert "\u20661405-BZG-77\u2069" in pages[3]
    assert not any("۱۴۰۵-BZG" in page or "BZG-۷۷" in page for page in pages)


@pytest.mark.persian
def test_a_file_number_typed_in_persian_digits_is_stored_in_latin_digits(client, overdue, inspector):
    """«ک/۱۴۰۵/۱۲» was stored as typed, beside others in Latin digits: one number is written one way."""
    client.force_login(inspector)
    _post(client, overdue, file_number="ک/۱۴۰۵/۱۲")
    assert JudicialCase.objects.get().file_number == "ک/1405/12"


@pytest.mark.persian
def test_a_file_number_without_latin_letters_reads_in_the_pages_digits(client, overdue, inspector):
    """«۹۸۷۶/۱۴۰۵», typed as the court writes it, read «پرونده 9876/1405 تشکیل شد» and «پرونده قضایی 9876/1405»:
    a number with no Latin letters takes the page's digits, as a letter number does; stored in Latin digits,
    and on an English page in Latin digits."""
    client.force_login(inspector)
    response = _post(client, overdue, file_number="۹۸۷۶/۱۴۰۵", follow=True)
    case = JudicialCase.objects.get()
    assert case.file_number == "9876/1405"
    shown = '<bdi dir="ltr" class="ident ident-case">۹۸۷۶/۱۴۰۵</bdi>'
    page = client.get(f"/casework/cases/{case.pk}/").content.decode()
    assert "\u2066۹۸۷۶/۱۴۰۵\u2069" in response.content.decode()  # the message of its opening
    assert shown in page and shown in client.get("/casework/cases/").content.decode()
    assert "<title>پرونده قضایی \u2066۹۸۷۶/۱۴۰۵\u2069" in page
    assert "9876/1405" not in page
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(f"/casework/cases/{case.pk}/").content.decode()
    assert '<bdi dir="ltr" class="ident ident-case">9876/1405</bdi>' in english


# --- the valuation's inputs on the case page --------------------------------------------------------


def _inputs(html: str, valuation_pk: int) -> str:
    """The inputs cell of a valuation's row (its third)."""
    row = html.split(f'id="valuation-{valuation_pk}"', 1)[1].split("</tr>", 1)[0]
    return row.split("<td>")[3].split("</td>", 1)[0]


@pytest.mark.persian
def test_duties_and_fees_left_blank_are_left_out_of_the_inputs(client, overdue, inspector):
    client.force_login(inspector)
    _post(client, overdue)  # duties and fees 0
    case = JudicialCase.objects.get()
    response = client.post(
        f"/casework/cases/{case.pk}/",
        {
            "form": "valuation",
            "kind": "import",
            "foreign_amount": "200",
            "currency": "USD",
            "exchange_rate": "650000",
            "rate_source": "مرکز مبادله",
            "duties": "",
            "commercial_profit": "",
            "fees": "",
        },
    )
    assert response.status_code == 302
    html = client.get(f"/casework/cases/{case.pk}/").content.decode()
    for valuation in case.valuations.all():
        cell = _inputs(html, valuation.pk)
        assert "×" in cell and "+" not in cell, cell


@pytest.mark.persian
def test_the_terms_typed_are_named(client, overdue, inspector):
    client.force_login(inspector)
    _post(client, overdue, duties="5000000")
    case = JudicialCase.objects.get()
    cell = _inputs(client.get(f"/casework/cases/{case.pk}/").content.decode(), case.valuations.get().pk)
    assert "+ ۵٬۰۰۰٬۰۰۰" in cell and "(حقوق گمرکی)" in cell
    assert "سود بازرگانی" not in cell and "عوارض" not in cell


# --- every bad field at once ----------------------------------------------------------------------


def test_every_bad_field_of_the_case_form_is_named_at_once(client, overdue, inspector):
    """«Opened» a year ahead and a rate of 0 were said only once the CIF value and the currency were right."""
    from core.dates import format_jalali

    client.force_login(inspector)
    ahead = format_jalali(timezone.localdate() + dt.timedelta(days=400), with_time=False, persian=False)
    response = _post(client, overdue, cif_value="", currency="XYZ", opened_on=ahead, exchange_rate="0")
    assert response.status_code == 400
    html = response.content.decode()
    beside(html, "id_cif_value", "Enter “CIF value”.")
    beside(html, "id_currency", "XYZ")
    beside(html, "id_opened_on", "The opening date is in the future.")
    beside(html, "id_exchange_rate", "cannot be right for any currency")
    assert not JudicialCase.objects.exists()


def test_a_cif_of_nought_and_a_future_discovery_are_named_with_the_other_fields(client, overdue, inspector):
    from core.dates import format_jalali

    client.force_login(inspector)
    ahead = format_jalali(timezone.now() + dt.timedelta(days=2), persian=False)
    response = _post(client, overdue, cif_value="0", authority="", discovered_at=ahead)
    assert response.status_code == 400
    html = response.content.decode()
    beside(html, "id_authority", "Enter “authority”.")
    beside(html, "id_cif_value", "CIF value must be a positive number.")
    beside(html, "id_discovered_at", "is in the future.")
    assert not JudicialCase.objects.exists()


@pytest.mark.persian
def test_a_rate_below_one_with_no_currency_reads_in_persian(client, overdue, inspector):
    client.force_login(inspector)
    response = _post(client, overdue, currency="XYZ", exchange_rate="0")
    assert response.status_code == 400
    beside(response.content.decode(), "id_exchange_rate", "برای هیچ ارزی درست نیست")


# --- the discovery: before the case is opened --------------------------------------------------------


def test_a_discovery_after_the_case_was_opened_is_refused_beside_its_field(client, overdue, inspector):
    """Discovered on the day after the opening: the Art. 4 hand-over would be overdue the moment the case exists."""
    from core.dates import format_jalali

    client.force_login(inspector)
    opened = timezone.localdate() - dt.timedelta(days=3)
    later = format_jalali(timezone.now() - dt.timedelta(days=1), persian=False)
    response = _post(
        client, overdue, opened_on=format_jalali(opened, with_time=False, persian=False), discovered_at=later
    )
    assert response.status_code == 400
    beside(response.content.decode(), "id_discovered_at", "The discovery time is after the case was opened")
    assert not JudicialCase.objects.exists()
    with pytest.raises(InvalidInput) as refused:
        _open(overdue, inspector, opened_on=opened, discovered_at=timezone.now() - dt.timedelta(days=1))
    assert set(refused.value.fields) == {"discovered_at"} and "after the case was opened" in str(refused.value)
    assert not JudicialCase.objects.exists()


def test_a_discovery_on_the_opening_day_or_before_is_taken(overdue, inspector):
    opened = timezone.localdate() - dt.timedelta(days=3)
    on_the_day = dt.datetime.combine(opened, dt.time(23, 30), tzinfo=TEHRAN)
    case = _open(overdue, inspector, opened_on=opened, discovered_at=on_the_day)
    assert case.discovered_at == on_the_day
