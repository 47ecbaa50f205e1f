"""Numbers and digits in Persian text: one helper, one filter each (issue 11, item 21)."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from core.text import amount, arrow, digits, format_number


def render(source: str, **context) -> str:
    return Template(source).render(Context(context))


@pytest.mark.parametrize(
    ("value", "decimals", "persian", "english"),
    [
        (Decimal("11240000000"), 0, "۱۱٬۲۴۰٬۰۰۰٬۰۰۰", "11,240,000,000"),
        (Decimal("820000.0000"), None, "۸۲۰٬۰۰۰", "820,000"),
        (64.9, None, "۶۴٫۹", "64.9"),
        (Decimal("15000"), 2, "۱۵٬۰۰۰٫۰۰", "15,000.00"),
        (0.12345, 2, "۰٫۱۲", "0.12"),
        (-1500, None, "-۱٬۵۰۰", "-1,500"),
        (None, None, "", ""),
    ],
)
def test_amounts_are_grouped_with_the_persian_separators(value, decimals, persian, english):
    assert format_number(value, decimals, persian=True) == persian
    assert format_number(value, decimals, persian=False) == english


def test_digits_in_persian_text_have_the_persian_decimal_separator():
    assert digits(64.9, persian=True) == "۶۴٫۹"
    assert digits("0.0200", persian=True) == "۰٫۰۲۰۰"  # floatformat's text
    assert digits("1404/05/12 10:30", persian=True) == "۱۴۰۴/۰۵/۱۲ ۱۰:۳۰"
    assert digits(1405, persian=True) == "۱۴۰۵"  # a count or a year: not grouped
    assert digits("تسویه. 28 روز", persian=True) == "تسویه. ۲۸ روز"  # a full stop stays one
    assert digits(64.9, persian=False) == "64.9"


def test_an_amount_there_is_none_of_reads_as_a_dash():
    assert amount(None, persian=True) == amount("", persian=True) == "—"
    assert amount(Decimal("0"), persian=True) == "۰"  # a zero given is a zero
    assert amount(Decimal("0.000"), persian=True, zero_is_none=True) == amount("0", zero_is_none=True) == "—"
    assert amount("1250000", persian=True, group=False, zero_is_none=True) == "۱۲۵۰۰۰۰"
    assert amount(Decimal("11240000000"), 0, persian=False) == "11,240,000,000"


def test_the_fa_and_num_filters_follow_the_page_language():
    with translation.override("fa"):
        assert render("{{ v|fa }}", v=64.9) == "۶۴٫۹"
        assert render("{{ v|num:0 }} ریال", v=Decimal("11240000000")) == "۱۱٬۲۴۰٬۰۰۰٬۰۰۰ ریال"
    with translation.override("en"):
        assert render("{{ v|fa }}", v=64.9) == "64.9"
        assert render("{{ v|num:0 }}", v=Decimal("11240000000")) == "11,240,000,000"


def test_arrows_follow_the_direction_of_the_text():
    with translation.override("fa"):
        assert arrow() == "←"
        assert render("{{ r|route }}", r=["BZG", "TBZ", "THR"]) == "<bdi>BZG</bdi> ← <bdi>TBZ</bdi> ← <bdi>THR</bdi>"
        assert render("{% arrow %}") == "←"
    with translation.override("en"):
        assert render("{{ r|route }}", r=["BZG", "THR"]) == "<bdi>BZG</bdi> → <bdi>THR</bdi>"
        assert render("{{ r|route }}", r=["<b>"]) == "<bdi>&lt;b&gt;</bdi>"
