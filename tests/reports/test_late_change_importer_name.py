"""A return's late change that an API import made named the integration by its username, «ورود از راه API توسط
ics», on the return's page and in the API's ``source_text``, and the API's ``source_ref`` was the stored English
"import batch 2: API import by ics"; the integration is «سامانه جامع گمرکی (اتصال)» everywhere else. The
importer is named by display name, and ``source_ref`` is in the reader's language too."""

import re

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import Role
from declarations.models import Source
from reports.models import LateChange
from tests.factories import UserFactory
from tests.reports.test_return_late_changes_api import sent  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.persian]
STORED = "import batch 2: API import by ics"
NAME = "سامانه جامع گمرکی (اتصال)"


def _plain(shown: str) -> str:
    return re.sub("[\u2066-\u2069]", "", shown)  # without the isolates around a name


@pytest.fixture
def by_api(sent):  # noqa: F811
    UserFactory(username="ics", role=Role.INTEGRATION, first_name="سامانه", last_name="جامع گمرکی (اتصال)")
    LateChange.objects.filter(monthly_return=sent).update(source=Source.API, source_ref=STORED)
    return sent


def test_the_returns_page_names_the_importer_by_display_name(client, hq, by_api):
    client.force_login(hq)
    page = client.get(reverse("reports:return", args=[by_api.pk])).content.decode()
    assert f"ورود از راه API توسط {NAME}" in _plain(page)
    assert "توسط ics" not in _plain(page)


def test_the_api_names_the_importer_by_display_name_in_the_readers_language(hq, by_api):
    api = APIClient()
    api.force_authenticate(hq)
    [first, *_rest] = api.get(f"/api/reports/returns/{by_api.pk}/late-changes/").json()["results"]
    assert _plain(first["source_ref"]) == f"دسته ورود اطلاعات ۲: ورود از راه API توسط {NAME}"
    assert NAME in first["source_text"] and "ics" not in first["source_text"]
    english = api.get(f"/api/reports/returns/{by_api.pk}/late-changes/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert _plain(english["results"][0]["source_ref"]) == f"import batch 2: API import by {NAME}"
