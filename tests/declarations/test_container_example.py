"""The container number's form error gives an example that passes its own check digit: «ABCU1234565» did not."""

import re

import pytest

from declarations import identifiers


@pytest.mark.parametrize("language", ["en", "fa"])
def test_the_example_in_the_form_error_is_a_valid_container_number(language):
    from django.utils import translation

    with translation.override(language), pytest.raises(ValueError) as refused:
        identifiers.validate_container_number("ABC-12")
    examples = re.findall(r"[A-Z]{4}\d{7}", str(refused.value))
    assert examples, str(refused.value)
    for example in examples:
        assert identifiers.validate_container_number(example) == example
