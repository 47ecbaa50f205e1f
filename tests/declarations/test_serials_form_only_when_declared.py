"""After arrival, the serials section asks for the serials found only when serials, IMEIs or tracking IDs
were declared (or the goods are covered goods declared without them: finding some is the point); goods
declared with none are not asked for «۰ of ۰»."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from declarations.models import GoodsSerial, Status, TransitDeclaration
from tests.factories import GoodsFactory

pytestmark = pytest.mark.django_db


def _arrive(declaration, **fields):
    TransitDeclaration.objects.filter(pk=declaration.pk).update(
        status=Status.ARRIVED,
        departed_at=timezone.now() - dt.timedelta(days=1),
        arrived_at=timezone.now() - dt.timedelta(hours=2),
        **fields,
    )


def _page(client, user, declaration) -> str:
    client.force_login(user)
    return client.get(reverse("declarations:detail", args=[declaration.pk])).content.decode()


def test_no_declared_serials_no_form_and_no_zero_count(client, declaration, dest_clerk):
    GoodsFactory(declaration=declaration, line_no=1, serials=[])
    _arrive(declaration)
    page = _page(client, dest_clerk, declaration)
    assert 'id="serials-form"' not in page
    assert 'id="serials-count"' not in page


def test_declared_serials_are_asked_for(client, declaration, dest_clerk):
    item = GoodsFactory(declaration=declaration, line_no=1, serials=["356938035643809"])
    GoodsSerial.objects.create(value="356938035643809", is_imei=True, declaration=declaration, goods_item=item)
    _arrive(declaration)
    page = _page(client, dest_clerk, declaration)
    assert 'id="serials-form"' in page and 'id="serials-count"' in page


def test_covered_goods_declared_without_serials_are_asked_for(client, declaration, dest_clerk):
    GoodsFactory(declaration=declaration, line_no=1, serials=[])
    _arrive(declaration, covered_without_serials=True)
    page = _page(client, dest_clerk, declaration)
    assert 'id="serials-form"' in page
