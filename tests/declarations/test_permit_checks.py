"""The sentences the permit checks write on the timeline and the permit panel."""

import pytest
from django.utils import translation

from declarations.permit_checks import describe

pytestmark = pytest.mark.django_db  # the offices are named from the database (codes no office has: as codes)

OVERDRIVE = {"km": 655, "from": "TBZ", "office": "THR", "hours": 7.0, "driving_hours": 8.2, "allowed_hours": 7.0}


def test_a_finding_is_written_with_the_figures_in_persian_digits_in_persian():
    with translation.override("fa"):
        text = describe("overdrive", OVERDRIVE)
    assert text.startswith("۶۵۵ کیلومتر از TBZ تا THR در ۷ ساعت")
    assert "دست‌کم ۸٫۲ ساعت رانندگی" in text and not any(c.isascii() and c.isdigit() for c in text)


@pytest.mark.parametrize("key", ["gap"])
def test_and_in_english_with_latin_digits(key):
    with translation.override("en"):
        text = describe(key, {"hours": 30, "from": "TBZ", "office": "THR", "km": 655, "allowed_hours": 12})
    assert text.startswith("Unseen for 30 h between TBZ and THR (655 km; the road allows 12 h)")
