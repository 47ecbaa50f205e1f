"""``/api/`` answered «not found, or outside your scope» with no pointer to the documentation. It is a small
index with the links to the docs, the schema and the login page; the docs open in a browser with the site's
session (docs/security.md), and without one the answer is still 401."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_api_root_points_to_the_docs(client):
    response = client.get("/api/")
    assert response.status_code == 200
    body = response.json()
    assert body["docs"].endswith("/api/docs/") and body["schema"].endswith("/api/schema/")
    assert body["login"].endswith("/login/")


def test_the_docs_open_with_the_sites_session(client, origin_clerk):
    assert client.get("/api/docs/").status_code == 401
    client.force_login(origin_clerk)
    assert client.get("/api/docs/").status_code == 200


@pytest.mark.persian
def test_the_api_roots_authentication_text_is_in_the_callers_language(client):
    """«authentication» was in English for a caller asking in Persian."""
    body = client.get("/api/", HTTP_ACCEPT_LANGUAGE="fa").json()
    assert "نشست" in body["authentication"] and "Authorization: Token <key>" in body["authentication"]
    assert "signed-in" not in body["authentication"]


def test_the_api_root_gives_a_camera_its_own_header(client):
    """It told cameras to send «Authorization: Token <key>», which the reads endpoint refuses (401): a camera's
    token goes as «Authorization: Camera <token>»."""
    for language in ("fa", "en"):
        text = client.get("/api/", HTTP_ACCEPT_LANGUAGE=language).json()["authentication"]
        assert "Authorization: Camera <token>" in text and "Authorization: Token <key>" in text


@pytest.mark.persian
def test_the_persian_text_names_the_documentation_in_persian(client):
    """It read «… سپس docs را در مرورگر باز کنید»: a bare Latin word in the Persian sentence."""
    text = client.get("/api/", HTTP_ACCEPT_LANGUAGE="fa").json()["authentication"]
    assert "docs" not in text and "نشانی مستندات" in text
