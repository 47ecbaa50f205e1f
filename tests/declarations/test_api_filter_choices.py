"""A list filter's value that is none of its choices is refused as a body's choice is (``core.api.ChoiceField``):
the value sent, quoted, and every value the filter takes. ``?status=flying`` said only «یک گزینهٔ معتبر انتخاب
کنید: وضعیت نامعتبر است و در فهرست نیست.», neither what was sent nor what is taken."""

import pytest
from django.test import Client

from declarations.filters import DeclarationFilter
from declarations.models import Status


def _get(api_token_for, user, query: str, language: str):
    client = Client(HTTP_AUTHORIZATION=f"Token {api_token_for(user)}", HTTP_ACCEPT_LANGUAGE=language)
    return client.get(f"/api/declarations/?{query}")


@pytest.mark.persian
def test_an_unknown_status_is_quoted_with_every_status_listed(api_token_for, hq):
    response = _get(api_token_for, hq, "status=flying", "fa")
    assert response.status_code == 400, response.content
    [message] = response.json()["error"]["fields"]["status"]
    assert message.startswith("«flying» یک انتخاب معتبر نیست؛ یکی از "), message
    for code in Status.values:
        assert code in message, (code, message)


@pytest.mark.parametrize(
    "name", [n for n, f in DeclarationFilter.base_filters.items() if type(f).__name__ == "ChoiceFilter"]
)
def test_every_choice_filter_lists_its_values(api_token_for, hq, name):
    response = _get(api_token_for, hq, f"{name}=nope", "en")
    assert response.status_code == 400, response.content
    [message] = response.json()["error"]["fields"][name]
    assert message.startswith("“nope” is not a valid choice; one of "), message
    for value, _label in DeclarationFilter.base_filters[name].extra["choices"]:
        assert value in message, (value, message)


def test_the_page_keeps_its_own_words(client, inspector):
    client.force_login(inspector)
    client.cookies["django_language"] = "fa"
    body = client.get("/declarations/?status=flying").content.decode()
    assert "وضعیت نامعتبر است و در فهرست نیست." in body
