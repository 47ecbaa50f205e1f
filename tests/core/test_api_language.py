"""The API answers in the language its request asks for (``Accept-Language``): an integration client or a
camera has no language cookie, and was told «serial: این مقدار لازم است.» whatever it asked. The pages stay
Persian unless the person chose English with the switch (tests/core/test_language.py)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from anpr import services as anpr_services
from tests.anpr.conftest import camera_client

pytestmark = pytest.mark.persian  # the site's language, Persian, when a request asks for none

DECLARATIONS = "/api/declarations/"
READS = "/api/anpr/reads/"
REQUIRED = {"en": "This field is required.", "fa": "این مقدار لازم است."}


@pytest.fixture
def camera(bazargan):
    camera, token = anpr_services.camera_register(office=bazargan, code="BZG-1", direction="out")
    camera.token = token
    return camera


@pytest.fixture
def integrator(origin_clerk, api_token_for):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_for(origin_clerk)}")
    return client


@pytest.mark.parametrize(
    ("header", "language"),
    [
        ("en", "en"),
        ("en-US,en;q=0.9", "en"),
        ("de-DE,en;q=0.5", "en"),  # the first language the site offers, in the client's order
        ("fa", "fa"),
        ("fa-IR", "fa"),
        ("de", "fa"),  # none offered: Persian, the site's language
        ("*", "fa"),
        (None, "fa"),
    ],
)
def test_a_token_client_is_answered_in_the_language_it_asks_for(integrator, header, language):
    extra = {} if header is None else {"HTTP_ACCEPT_LANGUAGE": header}
    response = integrator.post(DECLARATIONS, {}, format="json", **extra)
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["serial"] == [REQUIRED[language]]
    assert response["Content-Language"] == language


@pytest.mark.parametrize("language", ["en", "fa"])
def test_a_camera_is_answered_in_the_language_it_asks_for(camera, language):
    response = camera_client(camera).post(READS, {}, format="json", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["captured_at"] == [REQUIRED[language]]


def test_a_cameras_field_limits_follow_each_requests_header(camera):
    """The camera's validators are kept per thread and language (anpr/api.py): alternating headers on one
    thread each get their own language's limit message."""
    recent = (timezone.now() - dt.timedelta(minutes=10)).replace(microsecond=0)
    read = {"captured_at": recent.isoformat(), "plate": "34ABC123", "country": "Turkey"}
    client = camera_client(camera)
    said = [
        client.post(READS, read, format="json", HTTP_ACCEPT_LANGUAGE=language).json()["error"]["fields"]["country"][0]
        for language in ("fa", "en", "fa", "en")
    ]
    fa, en = "مطمئن شوید طول این مقدار بیشتر از ۲ نویسه نیست.", "Ensure this field has no more than 2 characters."
    assert said == [fa, en, fa, en]


def test_on_the_api_the_header_wins_over_the_language_cookie(origin_clerk, client):
    """Swagger UI or a script that kept the pages' cookie: what the request itself asks for wins; without
    a header the cookie (the person's choice on the pages) still holds."""
    client.force_login(origin_clerk)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    asked_fa = client.post(DECLARATIONS, {}, content_type="application/json", HTTP_ACCEPT_LANGUAGE="fa")
    assert asked_fa.json()["error"]["fields"]["serial"] == [REQUIRED["fa"]]
    asked_nothing = client.post(DECLARATIONS, {}, content_type="application/json")
    assert asked_nothing.json()["error"]["fields"]["serial"] == [REQUIRED["en"]]


def test_pages_still_ignore_the_browsers_header(origin_clerk, client):
    """A customs workstation's browser asks for English by accident: the pages stay Persian."""
    client.force_login(origin_clerk)
    page = client.get(reverse("declarations:list"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert page.status_code == 200 and '<html lang="fa" dir="rtl">' in page.content.decode()
    assert page["Content-Language"] == "fa"
