"""An API import's batch is described in the reader's language: its stored reference
(``import batch 2: API import by ics``, as the importer writes it, kept as written) is written again when shown,
on the declaration's page and in a return's late changes (an outside walk read «دسته ورود اطلاعات ۲: API
import by ics» on the one and the whole English reference on the other)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from declarations.models import Source, TransitDeclaration
from reports.models import LateChange

pytestmark = pytest.mark.django_db

STORED = "import batch 2: API import by ics"


@pytest.mark.persian
def test_the_declaration_page_names_an_api_import_in_persian(client, declaration, hq):
    TransitDeclaration.objects.filter(pk=declaration.pk).update(status_source=Source.API, status_source_ref=STORED)
    client.force_login(hq)
    page = client.get(reverse("declarations:detail", args=[declaration.pk])).content.decode()
    assert "دسته ورود اطلاعات ۲: ورود از راه API توسط \u2068ics\u2069" in page
    assert "API import by" not in page


@pytest.mark.persian
def test_a_late_changes_source_names_an_api_import_in_persian():
    shown = LateChange(source=Source.API, source_ref=STORED).source_text()
    assert shown == f"{Source.API.label} (دسته ورود اطلاعات ۲: ورود از راه API توسط \u2068ics\u2069)"


def test_in_english_the_same_stored_reference_reads_as_written():
    shown = LateChange(source=Source.API, source_ref=STORED).source_text()
    assert shown == "integration API (import batch 2: API import by \u2068ics\u2069)"
