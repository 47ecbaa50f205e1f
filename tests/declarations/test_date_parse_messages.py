"""A date or time that does not parse is refused in the reader's language, the value quoted as typed between
isolates: the API (fa) answered «declared_at: '1405/13/40' is not a Jalali date (YYYY/MM/DD)» and the import's
page showed the same English row error, where the register form says it in Persian."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from core import dates
from core.text import strip_isolates
from declarations.models import ImportBatch, TransitDeclaration
from tests.declarations.test_importer import row, to_csv
from tests.declarations.test_register import _api_body

LRI, PDI = "\u2066", "\u2069"
EXAMPLE = dates.date_example()  # this Jalali year's: the messages said «مانند ۱۴۰۴/۰۵/۱۲» in 1405
EXAMPLE_FA = dates.persian_digits(EXAMPLE)
MESSAGES = {
    "1405/13/40": {  # well shaped, no such day: in the forms' words (``dates.no_such_day``)
        "fa": f"«{LRI}1405/13/40{PDI}» تاریخ شمسی نیست: چنین روزی در تقویم نیست.",
        "en": f"{LRI}1405/13/40{PDI} is not a Jalali date: there is no such day.",
    },
    "1405/13": {
        "fa": f"«{LRI}1405/13{PDI}» تاریخ شمسی نیست (سال/ماه/روز، مانند {EXAMPLE_FA})",
        "en": f"'{LRI}1405/13{PDI}' is not a Jalali date (YYYY/MM/DD, like {EXAMPLE})",
    },
    "1405/09/15 25:99": {
        "fa": f"ساعتِ «{LRI}1405/09/15 25:99{PDI}» درست نیست (ساعت:دقیقه، مانند ۱۰:۳۰)",
        "en": f"'{LRI}1405/09/15 25:99{PDI}' has a bad time (HH:MM)",
    },
    "۱۴۰۵/۱۳/۴۰": {  # typed on a Persian keyboard: quoted with the digits it was typed in
        "fa": f"«{LRI}۱۴۰۵/۱۳/۴۰{PDI}» تاریخ شمسی نیست: چنین روزی در تقویم نیست.",
        "en": f"{LRI}۱۴۰۵/۱۳/۴۰{PDI} is not a Jalali date: there is no such day.",
    },
}


@pytest.mark.parametrize("language", ["fa", "en"])
@pytest.mark.parametrize("typed", list(MESSAGES))
def test_the_api_refuses_a_date_in_the_requests_language(origin_clerk, bazargan, tehran, typed, language):
    api = APIClient()
    api.force_authenticate(origin_clerk)
    response = api.post(
        "/api/declarations/", _api_body(declared_at=typed), format="json", HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 400
    error = response.json()["error"]
    expected = strip_isolates(MESSAGES[typed][language])  # the API's JSON is plain text (core/renderers.py)
    assert error["fields"]["declared_at"] in (expected, [expected])
    assert not TransitDeclaration.objects.exists()


@pytest.mark.persian
def test_the_import_page_names_a_bad_date_in_persian(client, origin_clerk, bazargan, tehran):
    client.force_login(origin_clerk)
    bad = row(declared_at="1405/13/40", route="")
    client.post(reverse("declarations:import"), {"file": SimpleUploadedFile("export.csv", to_csv([bad]))})
    batch = ImportBatch.objects.get()
    page = client.get(reverse("declarations:import-batch", args=[batch.pk])).content.decode()
    assert MESSAGES["1405/13/40"]["fa"] in page
    assert "is not a Jalali date" not in page


@pytest.mark.parametrize(
    ("text", "en", "fa"),
    [
        (
            "2026/12/01",
            f"is a Gregorian date, not a Jalali one (YYYY/MM/DD, like {EXAMPLE})",
            f"تاریخ میلادی است، نه شمسی (سال/ماه/روز، مانند {EXAMPLE_FA})",
        ),
        (
            "yesterday",
            f"is not a date (ISO 8601 or Jalali YYYY/MM/DD HH:MM, like {EXAMPLE} 10:30)",
            f"تاریخ نیست (شمسی مانند {EXAMPLE_FA} ۱۰:۳۰، یا ISO 8601)",
        ),
        ("", "the date is empty", "تاریخ خالی است"),
    ],
    ids=["gregorian", "not-a-date", "empty"],  # not the messages: the same ids on every worker, any year
)
def test_every_parse_error_is_translated(text, en, fa):
    parse = dates.parse_jalali_date if text.startswith("2026") else dates.parse_datetime_any
    for language, words in (("en", en), ("fa", fa)):
        with translation.override(language), pytest.raises(ValueError) as refused:
            parse(text)
        assert words in str(refused.value)
        if text:
            assert f"{LRI}{text}{PDI}" in str(refused.value)
