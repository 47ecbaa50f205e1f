"""An HS code is a code: shown in Latin digits and isolated left to right on a Persian page as the XLSX export
gives it and as the serial, waybill, seals and MRN beside it are (the declaration page showed «۸۴۱۸۱۰۰۰»), through
the one ``hs_code`` filter, on every page that shows one (the covered goods list's prefixes too)."""

import pytest
from django.urls import reverse

from declarations.covered_data import ensure_covered_goods
from declarations.models import CoveredGoods
from tests.factories import GoodsFactory

HS = '<bdi dir="ltr" class="ident ident-hs">{}</bdi>'


@pytest.mark.persian
def test_the_declaration_page_shows_the_hs_code_in_latin_digits(client, hq, declaration):
    GoodsFactory(declaration=declaration, hs_code="84181000")
    client.force_login(hq)
    page = client.get(reverse("declarations:detail", args=[declaration.pk])).content.decode()
    goods = page.split('id="goods-h"', 1)[1].split("</table>", 1)[0]
    assert HS.format("84181000") in goods and "۸۴۱۸" not in goods


@pytest.mark.persian
def test_the_covered_goods_list_shows_its_prefixes_through_the_same_filter(client, hq, db):
    ensure_covered_goods()
    prefix = CoveredGoods.objects.order_by("pk").first().hs_prefix
    client.force_login(hq)
    page = client.get(reverse("declarations:covered-goods")).content.decode()
    assert HS.format(prefix) in page
