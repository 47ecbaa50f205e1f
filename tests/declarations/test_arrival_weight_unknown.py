"""A weight found on arrival is compared with the declared weight only when one was declared: a goods line's
weight left empty is stored 0, and the reason form offered «quantity/weight discrepancy: … declared 0 kg» for
every declaration with no declared weight whose arrival recorded one."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from declarations import services
from declarations.models import Status
from tests.factories import DeclarationFactory, GoodsFactory

pytestmark = pytest.mark.django_db


def _arrived(bazargan, tehran, dest_clerk, *, declared_kg: str, found_kg: str):
    declaration = DeclarationFactory(
        origin=bazargan,
        destination=tehran,
        status=Status.IN_TRANSIT,
        departed_at=timezone.now() - dt.timedelta(days=2),
    )
    GoodsFactory(declaration=declaration, gross_weight_kg=Decimal(declared_kg))
    services.declaration_confirm_arrival(
        declaration=declaration, by=dest_clerk, gross_weight_found_kg=Decimal(found_kg), unseen_reason=None
    )
    return declaration


def _offered(client, user, declaration) -> str:
    """What the reason form offers from the data («What the data shows»); empty when nothing."""
    client.force_login(user)
    html = client.get(reverse("declarations:detail", args=[declaration.pk])).content.decode()
    assert 'data-action="record_unsettled"' in html
    return html.split('id="proposed-reasons"', 1)[1].split("</div>", 1)[0] if 'id="proposed-reasons"' in html else ""


def test_no_weight_declared_offers_no_weight_discrepancy(client, bazargan, tehran, dest_clerk):
    declaration = _arrived(bazargan, tehran, dest_clerk, declared_kg="0", found_kg="12500")
    offered = _offered(client, dest_clerk, declaration)
    assert 'data-proposed="quantity_discrepancy"' not in offered and "declared 0 kg" not in offered


def test_a_declared_weight_that_differs_is_still_offered(client, bazargan, tehran, dest_clerk):
    declaration = _arrived(bazargan, tehran, dest_clerk, declared_kg="10000", found_kg="12500")
    offered = _offered(client, dest_clerk, declaration)
    assert 'data-proposed="quantity_discrepancy"' in offered
    assert "Gross weight found 12,500 kg, declared 10,000 kg." in offered


def test_a_declared_weight_within_the_weighbridges_tolerance_is_not_offered(client, bazargan, tehran, dest_clerk):
    declaration = _arrived(bazargan, tehran, dest_clerk, declared_kg="10000", found_kg="10150")
    assert 'data-proposed="quantity_discrepancy"' not in _offered(client, dest_clerk, declaration)
