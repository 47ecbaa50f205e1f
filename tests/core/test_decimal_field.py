"""Numbers with decimals (a case's CIF value, rate, duties and fees; the weight found on arrival; a transport
document's quantity and weight) are typed in Persian digits like every other box: they were number inputs,
which the browser refuses «۱۰۰۰» in, and Django's decimal field refused Persian digits on the server too.
They are text boxes with a decimal keyboard (``core.forms.PageDecimalField``) that read any digits and the
Persian separators ٬ ، and ٫."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.utils import timezone

from casework.forms import CaseForm
from casework.models import JudicialCase
from core.forms import PageDecimalField
from declarations.forms import ConfirmArrivalForm
from declarations.forms_serials import TransportDocumentForm
from declarations.models import Status
from tests.factories import DeclarationFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "typed, value",
    [
        ("۱۰۰۰", Decimal(1000)),
        ("١٢٣٤", Decimal(1234)),
        ("۱٬۲۵۰٬۰۰۰", Decimal(1250000)),
        ("۱،۲۵۰،۰۰۰", Decimal(1250000)),
        ("۶۴٫۹", Decimal("64.9")),
        ("1,250.5", Decimal("1250.5")),
        (" 42 ", Decimal(42)),
    ],
)
def test_any_digits_and_separators_are_read(typed, value):
    assert PageDecimalField(decimal_places=3, max_digits=14).clean(typed) == value


def test_what_is_no_number_is_still_refused():
    field = PageDecimalField(decimal_places=3, max_digits=14)
    with pytest.raises(Exception):
        field.clean("۱۲x")


def _input(html: str, name: str) -> str:
    return re.search(rf'<input [^>]*name="{name}"[^>]*>', html).group(0)


def test_the_case_form_takes_persian_digits(client, bazargan, tehran, inspector):
    declaration = DeclarationFactory(
        origin=bazargan, destination=tehran, status=Status.IN_TRANSIT, deadline=timezone.now() - dt.timedelta(days=8)
    )
    client.force_login(inspector)
    page = client.get(f"/casework/cases/new/{declaration.pk}/").content.decode()
    for name in ("cif_value", "exchange_rate", "duties", "fees"):
        box = _input(page, name)
        assert 'type="text"' in box and 'inputmode="decimal"' in box, box
    response = client.post(
        f"/casework/cases/new/{declaration.pk}/",
        {
            "file_number": "1405-BZG-77",
            "authority": "دادسرای عمومی",
            "opened_on": "۱۴۰۴/۰۵/۱۰",
            "cif_value": "۱٬۰۰۰",
            "currency": "USD",
            "exchange_rate": "۶۵۰۰۰۰",
            "duties": "۲۰٬۰۰۰",
            "fees": "۵۰۰",
        },
    )
    assert response.status_code == 302, response.content.decode()
    case = JudicialCase.objects.get()
    assert (case.cif_value, case.exchange_rate, case.duties, case.fees) == (1000, 650000, 20000, 500)
    assert CaseForm(data={"cif_value": "۱۰۰۰٫۵"}).fields["cif_value"].clean("۱۰۰۰٫۵") == Decimal("1000.5")


def test_the_arrival_weight_takes_persian_digits():
    box = _input(render_to_string("includes/form_fields.html", {"form": ConfirmArrivalForm()}), "gross_weight_found_kg")
    assert 'type="text"' in box and 'inputmode="decimal"' in box, box
    form = ConfirmArrivalForm(data={"gross_weight_found_kg": "۱۲٬۵۰۰٫۵"})
    form.is_valid()
    assert "gross_weight_found_kg" not in form.errors
    assert form.cleaned_data["gross_weight_found_kg"] == Decimal("12500.5")


def test_a_transport_documents_quantity_and_weight_take_persian_digits():
    form = TransportDocumentForm(
        data={
            "number": "CMR-7",
            "issued_on": "۱۴۰۴/۰۵/۱۰",
            "origin": "BZG",
            "destination": "THR",
            "goods_description": "گوشی",
            "quantity": "۱۰۰",
            "gross_weight_kg": "۱۲٬۵۰۰",
        }
    )
    assert form.is_valid(), form.errors
    assert (form.cleaned_data["quantity"], form.cleaned_data["gross_weight_kg"]) == (100, 12500)
    page = render_to_string("includes/form_fields.html", {"form": TransportDocumentForm()})
    for name in ("quantity", "gross_weight_kg"):
        box = _input(page, name)
        assert 'type="text"' in box and 'inputmode="decimal"' in box, box
