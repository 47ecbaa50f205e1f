"""A declaration's timeline titles its import by the door it came in by: records sent as JSON through the
API (POST /api/declarations/import/) were titled «ورود اطلاعات از فایل» (imported from a file), which they
were not. The title is chosen when the page is read, from the source the event stored: rows imported before
this keep working, and a file import keeps its title."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from declarations.models import DeclarationEvent, Source, TransitDeclaration
from tests.declarations.test_importer import row, to_csv

FROM_FILE = "ورود اطلاعات از فایل"
FROM_API = "ورود اطلاعات از طریق API سامانه متصل"

pytestmark = [pytest.mark.django_db, pytest.mark.persian]


def _import_titles(client, user, declaration) -> list[str]:
    """The titles of the timeline's entries about the import («Registered here» and the import itself)."""
    client.force_login(user)
    page = client.get(reverse("declarations:detail", args=[declaration.pk])).content.decode()
    timeline = page.split('id="timeline"', 1)[1].split("</ol>", 1)[0]
    return re.findall(r'data-kind="import">.*?<strong>([^<]*)</strong>', timeline, re.S)


def test_records_sent_through_the_api_are_not_said_to_come_from_a_file(client, bazargan, tehran, origin_clerk):
    api = APIClient()
    api.force_authenticate(origin_clerk)
    record = {**row(route=""), "goods": [{"description": "گوشی", "quantity": "10", "unit": "عدد"}]}
    response = api.post("/api/declarations/import/", [record], format="json")
    assert response.status_code == 200, response.content  # no worker in tests: imported in the request
    declaration = TransitDeclaration.objects.get()
    assert DeclarationEvent.objects.get(declaration=declaration, kind="import").source == Source.API
    titles = _import_titles(client, origin_clerk, declaration)
    assert FROM_API in titles and FROM_FILE not in titles


def test_a_file_import_keeps_its_title(client, bazargan, tehran, origin_clerk):
    client.force_login(origin_clerk)
    upload = SimpleUploadedFile("export.csv", to_csv([row(route="")]))
    assert client.post(reverse("declarations:import"), {"file": upload}).status_code in (200, 302)
    declaration = TransitDeclaration.objects.get()
    titles = _import_titles(client, origin_clerk, declaration)
    assert FROM_FILE in titles and FROM_API not in titles
