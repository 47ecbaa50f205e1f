"""Check digits: national ID, ISO 6346 container, NCTS MRN, IMEI."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from declarations import identifiers as ids


@given(st.integers(1, 999_999_998).map(lambda n: f"{n:09d}"))
def test_national_id_with_its_check_digit_is_valid_and_any_other_digit_is_not(first9):
    good = first9 + ids.national_id_check_digit(first9)
    if len(set(good)) == 1:
        return
    assert ids.validate_national_id(good) == good
    wrong = first9 + str((int(good[-1]) + 1) % 10)
    with pytest.raises(ValueError, match="check digit"):
        ids.validate_national_id(wrong)


def test_known_national_ids():
    assert ids.validate_national_id("۰۰۱۳۵۴۲۴۱۹") == "0013542419"
    for bad in ("1111111111", "123", "abcdefghij"):
        with pytest.raises(ValueError):
            ids.validate_national_id(bad)


def test_iso6346_known_container():
    assert ids.validate_container_number("CSQU 305438 3") == "CSQU3054383"
    with pytest.raises(ValueError, match="check digit"):
        ids.validate_container_number("CSQU3054384")
    with pytest.raises(ValueError, match="form"):
        ids.validate_container_number("CSQX3054383")


@given(st.from_regex(r"[A-Z]{3}[UJZ][0-9]{6}", fullmatch=True))
def test_iso6346_round_trip(body):
    assert ids.validate_container_number(body + ids.iso6346_check_digit(body))


@given(st.from_regex(r"[0-9]{2}IR[A-Z0-9]{13}", fullmatch=True))
def test_mrn_round_trip_and_single_error_detected(body):
    good = body + ids.mrn_check_character(body)
    assert ids.validate_mrn(good.lower()) == good
    bad = good[:-1] + str((int(good[-1]) + 1) % 10)
    with pytest.raises(ValueError, match="check"):
        ids.validate_mrn(bad)


def test_mrn_length():
    with pytest.raises(ValueError, match="18"):
        ids.validate_mrn("24IR123")


def test_imei():
    assert ids.imei_problem("490154203237518") is None
    assert "check digit" in ids.imei_problem("490154203237519")
    assert "15 digits" in ids.imei_problem("49015420323751")
