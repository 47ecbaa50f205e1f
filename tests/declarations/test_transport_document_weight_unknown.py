"""A transport document's weight is compared with the declared weight only when one was declared: a goods
line's weight left empty is stored 0 (the declaration's page shows «—»), and every document giving a weight
was recorded as differing («gross weight: document 12500, declaration 0») and offered as a document
discrepancy. Unknown is not 0, as for the weight found on arrival (``test_arrival_weight_unknown``)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from declarations import detection, transport_docs
from declarations.models import UnsettledReason
from tests.factories import GoodsFactory

pytestmark = pytest.mark.django_db


def _record_weighing(declaration, by, kg: str):
    return transport_docs.transport_document_record(
        declaration=declaration,
        by=by,
        number="CMR-7",
        issued_on=dt.date(2025, 8, 1),
        origin="BZG",
        destination="THR",
        goods_description="گوشی تلفن همراه",
        quantity=Decimal(100),
        gross_weight_kg=Decimal(kg),
    )


def _page(client, user, declaration) -> str:
    client.force_login(user)
    return client.get(reverse("declarations:detail", args=[declaration.pk])).content.decode()


def test_a_document_weight_differs_from_no_declared_weight_in_nothing(client, declaration, origin_clerk):
    GoodsFactory(declaration=declaration, quantity=Decimal(100), gross_weight_kg=Decimal(0))
    document = _record_weighing(declaration, origin_clerk, "12500")
    assert document.differences == []
    assert UnsettledReason.DOCUMENT_DISCREPANCY not in [p.reason for p in detection.propose_reasons(declaration)]
    page = _page(client, origin_clerk, declaration)
    assert f'data-document="{document.pk}" data-differs="no"' in page


def test_a_document_weight_that_differs_from_a_declared_one_still_does(client, declaration, origin_clerk):
    GoodsFactory(declaration=declaration, quantity=Decimal(100), gross_weight_kg=Decimal(10000))
    document = _record_weighing(declaration, origin_clerk, "12500")
    assert [d["field"] for d in document.differences] == ["gross_weight_kg"]
    assert UnsettledReason.DOCUMENT_DISCREPANCY in [p.reason for p in detection.propose_reasons(declaration)]
    page = _page(client, origin_clerk, declaration)
    assert f'data-document="{document.pk}" data-differs="yes"' in page
