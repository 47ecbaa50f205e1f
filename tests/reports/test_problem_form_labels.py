"""The problem report form names its list of symptoms for what it is and keeps «شرح» for the free text,
in Persian and in English, as the list of problems and its export name the column."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _label(page: str, field: str) -> str:
    return page.split(f'for="id_{field}"')[1].split("</label>")[0]


@pytest.mark.persian
def test_the_symptom_and_the_description_have_distinct_names(client, origin_clerk):
    client.force_login(origin_clerk)
    page = client.get(reverse("reports:problem_new")).content.decode()
    assert "نشانهٔ اشکال" in _label(page, "symptom")
    assert "شرح" in _label(page, "description") and "اشکال" not in _label(page, "description")
    assert "شرح اشکال" not in page


def test_in_english_too(client, origin_clerk):
    client.cookies["django_language"] = "en"
    client.force_login(origin_clerk)
    page = client.get(reverse("reports:problem_new")).content.decode()
    assert "symptom" in _label(page, "symptom").lower()
    assert "description" in _label(page, "description").lower()
    assert "what fails" not in page


@pytest.mark.persian
def test_the_list_names_the_column_as_the_form_does(client, it_officer):
    client.force_login(it_officer)
    page = client.get(reverse("reports:problems")).content.decode()
    assert "نشانهٔ اشکال" in page and "شرح اشکال" not in page
