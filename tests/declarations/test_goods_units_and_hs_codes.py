"""A goods line's unit is read in the page's language («814 pieces», not «عدد 814» on an English page), and its HS
code is an identifier isolated left to right in Latin digits on a page of either language, as the XLSX export
and the serial, waybill, seals and MRN beside it («8471», where a Persian page showed «۸۴۷۱»). The import stores
an HS code in Latin digits, however typed."""

from decimal import Decimal

import pytest
from django.urls import reverse

from declarations.importer import import_file
from declarations.models import GoodsItem
from tests.declarations.test_importer import row, to_csv
from tests.factories import GoodsFactory


@pytest.mark.parametrize(
    ("language", "hs", "quantity", "unit"),
    [("en", "8471", "814", "pieces"), ("fa", "8471", "۸۱۴", "عدد"), ("en", "8471", "1,029", "pairs")],
)
def test_the_goods_table_shows_units_and_hs_codes_in_the_pages_language(
    client, hq, declaration, settings, language, hs, quantity, unit
):
    stored_unit = {"pieces": "عدد", "pairs": "جفت"}.get(unit, unit)
    GoodsFactory(
        declaration=declaration,
        hs_code="۸۴۷۱",
        quantity=Decimal(quantity.replace(",", "").translate(str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789"))),
        unit=stored_unit,
    )
    client.force_login(hq)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = client.get(reverse("declarations:detail", args=[declaration.pk])).content.decode()
    goods = page.split('id="goods-h"', 1)[1].split("</table>", 1)[0]
    assert f'<bdi dir="ltr" class="ident ident-hs">{hs}</bdi>' in goods
    assert f"{quantity} <bdi>{unit}</bdi>" in goods


def test_an_hs_code_typed_in_persian_digits_is_stored_in_latin_ones(bazargan, tehran, sarakhs):
    assert import_file(to_csv([row(hs_code="۸۴۷۱.۳۰", route="")]), "export.csv").created == 1
    assert GoodsItem.objects.get().hs_code == "847130"
