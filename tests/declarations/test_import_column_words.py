"""An import's refusals name each column in the reader's words, as the API's errors do (``core.api.field_label``):
«…در این ستون‌ها ثبت شده است: destination» and the import page's «origin» were the column's code name."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from declarations.importer import import_file
from declarations.models import ImportBatch
from tests.declarations.test_importer import row, to_csv


def test_a_stored_declaration_with_other_content_names_the_column_in_words(bazargan, tehran, sarakhs):
    import_file(to_csv([row(route="")]), "a.csv")
    with translation.override("fa"):
        [error] = import_file(to_csv([row(destination="SRK", route="")]), "b.csv").rejected
    assert error.field == "destination"
    assert error.message.rstrip("\u2069").endswith("مقصد") and "destination" not in error.message
    with translation.override("en"):
        [error] = import_file(to_csv([row(destination="SRK", route="")]), "c.csv").rejected
    assert error.message.endswith("different destination")


@pytest.mark.parametrize(
    ("language", "words"), [("fa", ("مبدأ", "شماره ردیف کالا")), ("en", ("origin", "goods line number"))]
)
def test_the_import_page_names_each_bad_column_in_words(
    client, bazargan, tehran, origin_clerk, language, words, settings
):
    client.force_login(origin_clerk)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    upload = SimpleUploadedFile("export.csv", to_csv([row(origin="XXX", goods_line="x", route="")]))
    client.post(reverse("declarations:import"), {"file": upload})
    page = client.get(reverse("declarations:import-batch", args=[ImportBatch.objects.get().pk])).content.decode()
    table = page.split('id="rejected-rows"', 1)[1].split("</table>", 1)[0]
    origin, line = words
    assert f'<td data-field="origin">{origin}</td>' in table
    assert f'<td data-field="goods_line">{line}</td>' in table
