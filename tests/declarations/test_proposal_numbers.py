"""A proposed reason's numbers are written as the goods table writes them, thousands grouped: a weight found on
arrival read «۱۲۰۰۰ کیلوگرم» beside the goods' «۵٬۰۰۰», and so did a transport document's quantity and weight."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from declarations import services, transport_docs
from declarations.models import Status
from tests.factories import DeclarationFactory, GoodsFactory

pytestmark = [pytest.mark.django_db, pytest.mark.persian]


@pytest.fixture
def in_transit(bazargan, tehran):
    declaration = DeclarationFactory(
        origin=bazargan, destination=tehran, status=Status.IN_TRANSIT, departed_at=timezone.now() - dt.timedelta(days=2)
    )
    GoodsFactory(declaration=declaration, quantity=Decimal(5000), gross_weight_kg=Decimal(5000))
    return declaration


def _proposals(client, declaration) -> str:
    page = client.get(reverse("declarations:detail", args=[declaration.pk])).content.decode()
    return re.sub(r"<[^>]*>|\u2066|\u2067|\u2068|\u2069", "", page)


def test_a_weight_found_on_arrival_is_proposed_with_its_thousands_grouped(client, dest_clerk, in_transit):
    services.declaration_confirm_arrival(declaration=in_transit, by=dest_clerk, gross_weight_found_kg=Decimal(12000))
    client.force_login(dest_clerk)
    page = _proposals(client, in_transit)
    assert "وزن ناخالص مشاهده‌شده ۱۲٬۰۰۰ کیلوگرم و وزن اظهارشده ۵٬۰۰۰ کیلوگرم" in page
    assert "۱۲۰۰۰" not in page


def test_a_transport_documents_quantity_and_weight_are_proposed_with_their_thousands_grouped(
    client, dest_clerk, in_transit
):
    transport_docs.transport_document_record(
        declaration=in_transit,
        by=dest_clerk,
        number="CMR-5",
        issued_on=dt.date(2025, 8, 1),
        origin="BZG",
        destination="THR",
        route=["BZG", "THR"],
        goods_description="گوشی تلفن همراه",
        quantity=Decimal(4500),
        gross_weight_kg=Decimal(12000),
    )
    services.declaration_confirm_arrival(declaration=in_transit, by=dest_clerk)
    client.force_login(dest_clerk)
    page = _proposals(client, in_transit)
    assert "۴٬۵۰۰" in page and "۱۲٬۰۰۰" in page
    assert "۴۵۰۰" not in page and "۱۲۰۰۰" not in page
