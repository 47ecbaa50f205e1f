"""The return build form lists the provinces as the submissions table does, in the page's alphabet
(``core.text.name_sort_key``): the database ordered them by code point, so «لرستان» came before «کرمان» and
«گیلان» (Unicode puts ک and گ after the Arabic letters)."""

import pytest

from reports.views import BuildForm
from tests.factories import ProvinceFactory


@pytest.fixture
def provinces(db):
    ProvinceFactory(code="LOR", name_fa="لرستان", name_en="Lorestan")
    ProvinceFactory(code="GIL", name_fa="گیلان", name_en="Gilan")
    ProvinceFactory(code="KRM", name_fa="کرمان", name_en="Kerman")
    ProvinceFactory(code="ARD", name_fa="اردبیل", name_en="Zz Ardabil")


def _names(user) -> list[str]:
    return [str(label) for value, label in BuildForm(user=user).fields["province"].choices if value != ""]


@pytest.mark.persian
def test_the_provinces_are_in_the_persian_alphabets_order(provinces, hq):
    assert _names(hq) == ["اردبیل", "کرمان", "گیلان", "لرستان"]


def test_the_provinces_are_in_the_english_alphabets_order_on_english_pages(provinces, hq):
    assert _names(hq) == ["Gilan", "Kerman", "Lorestan", "Zz Ardabil"]
