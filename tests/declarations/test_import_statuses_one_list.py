"""The template's column guide and the importer take the same statuses, from one list: the guide listed six and
the importer's refusal of ``status=flying`` seven (``closed`` too). ``closed`` is one an import may set: a
judicial case held in ICS has ended (``importer.WRITTEN_AS_IS``), so the guide lists it as well."""

import io
import re

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from core.text import strip_isolates
from declarations.import_validation import IMPORT_STATUSES
from declarations.importer import import_rows
from tests.declarations.test_importer import row


def _listed(text: str) -> list[str]:
    return re.findall(r"[a-z_]+", strip_isolates(text).split(":", 1)[-1])


@pytest.mark.parametrize("language", ["fa", "en"])
def test_the_templates_guide_lists_what_the_importer_takes(client, hq, bazargan, tehran, language):
    client.force_login(hq)
    client.cookies["django_language"] = language
    body = client.get(reverse("declarations:import-template", args=["xlsx"])).content
    guide = load_workbook(io.BytesIO(body)).worksheets[1]
    [status] = [r for r in guide.iter_rows(values_only=True) if r[0] == "status"]
    assert re.findall("\u2066([^\u2069]*)\u2069", status[2]) == list(IMPORT_STATUSES), status
    assert "closed" in IMPORT_STATUSES

    with translation.override("en"):
        summary = import_rows([(2, row(status="flying"))], source_ref="file")
    [error] = [e for e in summary.as_dict()["rejected"] if e["field"] == "status"]
    assert _listed(error["message"]) == list(IMPORT_STATUSES), error
