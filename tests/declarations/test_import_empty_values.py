"""An empty serial or plate in an import is named as missing («الزامی است», "is required"), as an empty office is:
it was quoted as a value, ««» پلاک خارجی نیست», ««» شماره سریال اظهارنامه نیست», and in English " is not an
Iranian plate", a sentence opening with a blank."""

import pytest
from django.utils import translation

from declarations.importer import import_records
from tests.declarations.test_importer import row


@pytest.mark.parametrize(("language", "required"), [("fa", "الزامی است"), ("en", "is required")])
@pytest.mark.parametrize("country", ["IR", "TR"])
def test_an_empty_serial_and_plate_are_named_as_missing(bazargan, tehran, language, required, country):
    with translation.override(language):
        summary = import_records([row(serial="", plate="", plate_country=country, route="")])
    errors = {e.field: e.message for e in summary.rejected}
    assert errors["serial"] == required and errors["plate"] == required, errors
