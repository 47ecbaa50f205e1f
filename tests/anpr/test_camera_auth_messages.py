"""A camera's token refused (a header written wrong, a token that is no camera's, a retired camera, an expired
token) is told in the request's language, the camera's code isolated (it keeps its order in a Persian
sentence) and an expiry in Jalali, Tehran time, in the reader's digits. They were English, the bare code and
a UTC time, whatever the language."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from anpr import services
from anpr.authentication import forget_cameras
from anpr.models import Camera, PlateRead
from core.text import strip_isolates
from tests.anpr.conftest import camera_client

pytestmark = pytest.mark.django_db
SINGLE = "/api/anpr/reads/"
CODE = "\u2066BZG-1\u2069"  # the camera's code between isolates


def _post(client):
    body = {"captured_at": (timezone.now() - dt.timedelta(minutes=5)).isoformat(), "plate": "12ب34567"}
    response = client.post(SINGLE, body, format="json")
    assert response.status_code == 401, response.content
    return response.json()["error"]["message"]


def _with_header(value: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=value)
    return client


def _retired(camera, hq):
    services.camera_retire(camera=camera, by=hq, reason="moved to the other gate")
    return camera_client(camera)


def _expired(camera, hq):
    at = dt.datetime(2026, 3, 20, 21, 0, tzinfo=dt.UTC)  # 1405/01/01 00:30 in Tehran
    Camera.objects.filter(pk=camera.pk).update(token_expires_at=at)
    forget_cameras()
    return camera_client(camera)


CASES = {
    "header": (
        lambda camera, hq: _with_header("Camera two parts"),
        "Send the camera's token as \u2066Authorization: Camera <token>\u2069, the token in one piece.",
        "توکن دوربین را به شکل \u2066Authorization: Camera <token>\u2069 و یکپارچه (بی‌فاصله) بفرستید.",
    ),
    "not-text": (
        lambda camera, hq: _with_header("Camera \xe9\xff"),
        "The camera's token is not text.",
        "توکن دوربین متن نیست.",
    ),
    "unknown": (
        lambda camera, hq: _with_header("Camera no-such-token"),
        "No camera has this token.",
        "هیچ دوربینی این توکن را ندارد.",
    ),
    "retired": (
        _retired,
        f"Camera {CODE} is retired: its reads are no longer taken.",
        f"دوربین {CODE} از خدمت خارج شده است و خوانش‌های آن دیگر پذیرفته نمی‌شود.",
    ),
    "expired": (
        _expired,
        f"The token of camera {CODE} expired at 1405/01/01 00:30 (Tehran time): ask for a new one.",
        f"توکن دوربین {CODE} در ۱۴۰۵/۰۱/۰۱ ۰۰:۳۰ (به وقت تهران) منقضی شده است: توکن تازه بخواهید.",
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_a_refused_camera_token_is_told_in_english(bzg_camera, hq, case):
    client_for, english, _persian = CASES[case]
    assert _post(client_for(bzg_camera, hq)) == strip_isolates(english)  # plain JSON (core/renderers.py)
    assert not PlateRead.objects.exists()


@pytest.mark.persian
@pytest.mark.parametrize("case", CASES)
def test_a_refused_camera_token_is_told_in_persian(bzg_camera, hq, case):
    client_for, _english, persian = CASES[case]
    assert _post(client_for(bzg_camera, hq)) == strip_isolates(persian)
    assert not PlateRead.objects.exists()
