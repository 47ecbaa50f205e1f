"""A transport document's goods description is compared with every goods line of the declaration, as its
quantity is compared with their sum: «کفش» for a declaration of shoes, phones and cement named one line of three
and was taken as the same goods (the quantity and weight were flagged, the description was not)."""

from decimal import Decimal

import pytest

from tests.declarations.test_transport_documents import _record
from tests.factories import GoodsFactory

pytestmark = pytest.mark.django_db

LINES = ("کفش چرمی", "گوشی تلفن همراه", "سیمان پرتلند")


@pytest.fixture
def mixed(declaration):
    for n, description in enumerate(LINES, 1):
        GoodsFactory(declaration=declaration, line_no=n, description=description, quantity=Decimal(100))
    return declaration


def test_a_description_naming_one_line_of_three_differs(mixed, origin_clerk):
    document = _record(mixed, origin_clerk, goods_description="کفش", quantity=Decimal(300), gross_weight_kg=None)
    assert [d["field"] for d in document.differences] == ["goods_description"]


def test_a_description_naming_every_line_agrees(mixed, origin_clerk):
    document = _record(
        mixed,
        origin_clerk,
        goods_description="کفش چرمی، گوشی تلفن همراه و سیمان پرتلند",
        quantity=Decimal(300),
        gross_weight_kg=None,
    )
    assert document.differences == []


def test_one_line_is_still_matched_by_a_shorter_or_longer_wording(declaration, origin_clerk):
    GoodsFactory(declaration=declaration, line_no=1, description="کفش چرمی", quantity=Decimal(100))
    for said in ("کفش", "کفش چرمی مردانه"):
        document = _record(declaration, origin_clerk, goods_description=said, gross_weight_kg=None)
        assert document.differences == [], said
