"""Opening and valuing a judicial case: the inputs that make its value (currency, exchange rate) are checked
for what they are, and refused beside their field in the words the page uses. A currency that is none, or a
rate no currency has, gave the case a value in rials that meant nothing, and with it the wrong statutory
class (confiscation only) and no clocks."""

import datetime as dt

import pytest
from django.utils import timezone

from casework import services as casework
from casework import smuggling
from casework.models import JudicialCase, ValuationKind
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


def _post(client, declaration, **changes):
    return client.post(f"/casework/cases/new/{declaration.pk}/", {**FORM, **changes})


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
    beside(response.content.decode(), "id_currency", "«XYZ» is not a currency code of ISO 4217")
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
    beside(response.content.decode(), "id_currency", "«XYZ» is not a currency code of ISO 4217")
    assert case.valuations.count() == 1


@pytest.mark.persian
def test_it_reads_in_persian(client, overdue, inspector):
    client.force_login(inspector)
    html = _post(client, overdue, currency="XYZ").content.decode()
    beside(html, "id_currency", "«XYZ» کد ارزی در استاندارد ISO 4217 نیست")
