"""Plate normalisation: every script, spacing and variant gives one canonical plate."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from declarations.plates import PLATE_LETTERS, PlateError, canonical_plate, guess_plate, parse_plate

PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
ARABIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
digits2 = st.integers(10, 99).map(str)
digits3 = st.integers(100, 999).map(str)
letters = st.sampled_from(PLATE_LETTERS)
iranian = st.tuples(digits2, letters, digits3, digits2)


@given(iranian)
def test_canonical_form_round_trips(parts):
    a, letter, b, region = parts
    canon = f"{a}{letter}{b}{region}"
    assert canonical_plate(canon) == canon
    plate = parse_plate(canon)
    # The display form parses back to the same plate.
    assert canonical_plate(plate.display()) == canon


@given(
    iranian, st.sampled_from([PERSIAN, ARABIC, str.maketrans("", "")]), st.sampled_from([" ", "-", "", " - ", "\u200c"])
)
def test_any_digit_script_and_spacing_gives_the_same_plate(parts, digits, sep):
    a, letter, b, region = parts
    written = sep.join([a.translate(digits), letter, b.translate(digits), "ایران", region.translate(digits)])
    assert canonical_plate(written) == f"{a}{letter}{b}{region}"


@given(iranian)
def test_region_first_exports_are_understood(parts):
    a, letter, b, region = parts
    assert canonical_plate(f"{region} {a}{letter}{b}") == f"{a}{letter}{b}{region}"


@pytest.mark.parametrize(
    "written,canon",
    [("12 الف 345 - 67", "12ا34567"), ("12ي34567", "12ی34567"), ("12ك34567", "12ک34567"), ("۵۹د۱۶۹۱۳", "59د16913")],
)
def test_letter_variants_are_folded(written, canon):
    assert canonical_plate(written) == canon


@pytest.mark.parametrize("bad", ["", "12345678", "1د2345", "12X34567", "12دد34567", "ایران"])
def test_malformed_plates_are_refused_with_the_text_named(bad):
    with pytest.raises(PlateError) as exc:
        canonical_plate(bad)
    assert "plate" in str(exc.value)


@given(
    st.text(alphabet="ABCDEFGHJKLMNPRSTUVXYZ0123456789", min_size=2, max_size=10), st.sampled_from(["TR", "AZ", "AM"])
)
def test_foreign_plates_round_trip(text, country):
    plate = parse_plate(text.lower(), country)
    assert plate.text == text.upper() and plate.country == country
    assert parse_plate(f" {text[:1]}-{text[1:]} ", country).text == text


def test_a_foreign_country_code_must_be_iso():
    with pytest.raises(PlateError, match="country"):
        parse_plate("34ABC123", "Turkey")


def test_guess_reads_persian_as_iranian_and_latin_as_foreign():
    assert guess_plate("۵۹ د ۱۶۹ ۱۳").country == "IR"
    assert guess_plate("34 abc 123").text == "34ABC123"
