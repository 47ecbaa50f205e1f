"""A walk: the driver's name refused for its national ID and «کد ملی … باید ۱۰ رقم باشد» had no final period,
unlike every other error beside a field."""

from types import SimpleNamespace

import pytest
from django.utils import translation

from declarations.creation import driver_name_refusals
from declarations.identifiers import validate_national_id
from declarations.models import Driver


@pytest.mark.parametrize("lang", ["fa", "en"])
def test_a_national_id_of_other_than_ten_digits(lang):
    with translation.override(lang), pytest.raises(ValueError) as refused:
        validate_national_id("123")
    assert str(refused.value).endswith(".")


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["fa", "en"])
def test_a_drivers_name_other_than_the_one_on_file(lang):
    Driver.objects.create(name="علی رضایی", national_id="0012345679")
    typed = SimpleNamespace(row=1, driver_name="حسن کریمی", driver_national_id="0012345679")
    with translation.override(lang):
        said = driver_name_refusals([typed])[1]  # type: ignore[list-item]
    assert said.endswith(".")
